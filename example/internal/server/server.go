// Package server serves the API twice from one container: gRPC (with
// reflection) on one address, and Connect (HTTP/1.1 and h2c, under /api/)
// plus GET /healthz on another.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/hrz8/altalune"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/gen/altalune/v1/altalunev1connect"
	"github.com/hrz8/altalune/internal/auth"
	"github.com/hrz8/altalune/internal/container"
	project_domain "github.com/hrz8/altalune/internal/domain/project"
	"github.com/hrz8/altalune/internal/shared/domainkit"
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// once the server is asked to stop.
const shutdownTimeout = 15 * time.Second

// Server runs the gRPC and the HTTP (Connect) servers.
type Server struct {
	c        *container.Container
	log      altalune.Logger
	httpAddr string
	grpcAddr string
}

// New returns a Server for the services of c, listening on httpAddr and
// grpcAddr once Run is called.
func New(c *container.Container, httpAddr, grpcAddr string) *Server {
	return &Server{c: c, log: c.GetLogger(), httpAddr: httpAddr, grpcAddr: grpcAddr}
}

// Run serves until ctx is done, then shuts both servers down gracefully and
// returns nil. It returns an error if a listener cannot be opened or a
// server fails.
func (s *Server) Run(ctx context.Context) error {
	grpcLis, err := net.Listen("tcp", s.grpcAddr)
	if err != nil {
		return fmt.Errorf("listen for gRPC on %s: %w", s.grpcAddr, err)
	}
	httpLis, err := net.Listen("tcp", s.httpAddr)
	if err != nil {
		_ = grpcLis.Close()
		return fmt.Errorf("listen for HTTP on %s: %w", s.httpAddr, err)
	}

	grpcServer := s.setupGRPCServices()
	httpServer := s.newHTTPServer(s.setupRoutes())

	errc := make(chan error, 2)
	go func() {
		if err := grpcServer.Serve(grpcLis); err != nil {
			errc <- fmt.Errorf("gRPC server: %w", err)
		}
	}()
	go func() {
		if err := httpServer.Serve(httpLis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("HTTP server: %w", err)
		}
	}()
	s.log.Info("gRPC server listening", "addr", grpcLis.Addr().String())
	s.log.Info("HTTP server listening", "addr", httpLis.Addr().String(), "connect_prefix", "/api/")

	var runErr error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down")
	case runErr = <-errc:
		s.log.Error("server failed, shutting down", "error", runErr)
	}

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		s.log.Warn("HTTP server did not stop gracefully", "error", err)
		_ = httpServer.Close()
	}
	stopGRPC(shutdownCtx, grpcServer)
	s.log.Info("servers stopped")
	return runErr
}

// stopGRPC lets in-flight RPCs finish, cutting them off when ctx is done.
func stopGRPC(ctx context.Context, srv *grpc.Server) {
	stopped := make(chan struct{})
	go func() {
		srv.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-ctx.Done():
		srv.Stop()
		<-stopped
	}
}

// setupGRPCServices returns a gRPC server with every service and reflection
// registered. Its interceptors recover panics (answering Internal) and
// authenticate callers from the authorization metadata; each service then
// checks its callers as the Connect handlers do.
func (s *Server) setupGRPCServices() *grpc.Server {
	validator := s.c.GetJWTValidator()
	grpcServer := grpc.NewServer(
		grpc.ChainUnaryInterceptor(s.recoverUnary, auth.NewGRPCAuthInterceptor(validator)),
		grpc.ChainStreamInterceptor(s.recoverStream, auth.NewGRPCStreamAuthInterceptor(validator)),
	)

	authz := s.c.GetAuthorizer()
	altalunev1.RegisterProjectServiceServer(grpcServer, project_domain.NewGRPCServer(s.c.GetProjectService(), authz))
	registerGeneratedGRPCServices(grpcServer, s.c, authz)

	reflection.Register(grpcServer)
	return grpcServer
}

// setupRoutes returns the HTTP handler: every Connect service under /api/
// and GET /healthz. Every service is mounted with the interceptor that
// authenticates callers; each handler then checks its callers.
func (s *Server) setupRoutes() http.Handler {
	handlerOptions := []connect.HandlerOption{
		connect.WithRecover(s.recoverHandler),
		connect.WithInterceptors(auth.NewAuthInterceptor(s.c.GetJWTValidator())),
	}

	authz := s.c.GetAuthorizer()
	connectMux := http.NewServeMux()
	path, h := altalunev1connect.NewProjectServiceHandler(
		project_domain.NewHandler(s.c.GetProjectService(), authz),
		handlerOptions...,
	)
	connectMux.Handle(path, h)
	registerGeneratedConnectHandlers(connectMux, s.c, authz, handlerOptions...)

	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", connectMux))
	mux.HandleFunc("GET /healthz", healthz)
	return mux
}

// Access lists what every RPC of the API requires of its caller, by
// procedure: the project service's and the generated ones.
func Access() []domainkit.Access {
	project := []domainkit.Access{
		{Procedure: altalunev1connect.ProjectServiceCreateProjectProcedure, Permission: project_domain.PermissionWrite},
		{Procedure: altalunev1connect.ProjectServiceGetProjectProcedure, Permission: project_domain.PermissionRead, Project: true},
		{Procedure: altalunev1connect.ProjectServiceQueryProjectsProcedure, Permission: project_domain.PermissionRead},
	}
	all := append(project, generatedAccess()...)
	slices.SortFunc(all, func(a, b domainkit.Access) int { return strings.Compare(a.Procedure, b.Procedure) })
	return all
}

// recoverHandler turns a panic in a Connect handler into an Internal error
// instead of a dropped connection.
func (s *Server) recoverHandler(ctx context.Context, spec connect.Spec, _ http.Header, p any) error {
	s.log.ErrorContext(ctx, "panic in handler", "procedure", spec.Procedure, "panic", p)
	return connect.NewError(connect.CodeInternal, errors.New("internal error"))
}

// recoverUnary turns a panic in a gRPC method into an Internal error: gRPC
// itself would let it end the process.
func (s *Server) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(ctx, "panic in handler", "procedure", info.FullMethod, "panic", p)
			res, err = nil, status.Error(codes.Internal, "internal error")
		}
	}()
	return handler(ctx, req)
}

// recoverStream is recoverUnary for streaming methods.
func (s *Server) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(ss.Context(), "panic in handler", "procedure", info.FullMethod, "panic", p)
			err = status.Error(codes.Internal, "internal error")
		}
	}()
	return handler(srv, ss)
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok")
}

// newHTTPServer returns an HTTP server speaking HTTP/1.1 and HTTP/2 without
// TLS (h2c), so the Connect handlers answer the Connect, gRPC-Web and gRPC
// protocols alike.
func (s *Server) newHTTPServer(handler http.Handler) *http.Server {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           handler,
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}
