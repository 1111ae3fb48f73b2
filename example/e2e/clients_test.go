//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
	"github.com/hrz8/altalune/gen/altalune/v1/altalunev1connect"
)

// callTimeout bounds every RPC the tests make.
const callTimeout = 20 * time.Second

// rpc is a unary call, whatever the protocol underneath.
type rpc[Req, Res any] func(context.Context, *Req) (*Res, error)

type projectClient struct {
	Create rpc[altalunev1.CreateProjectRequest, altalunev1.CreateProjectResponse]
	Get    rpc[altalunev1.GetProjectRequest, altalunev1.GetProjectResponse]
	Query  rpc[altalunev1.QueryProjectsRequest, altalunev1.QueryProjectsResponse]
}

type employeeClient struct {
	Query  rpc[altalunev1.QueryEmployeesRequest, altalunev1.QueryEmployeesResponse]
	Create rpc[altalunev1.CreateEmployeeRequest, altalunev1.CreateEmployeeResponse]
	Get    rpc[altalunev1.GetEmployeeRequest, altalunev1.GetEmployeeResponse]
	Update rpc[altalunev1.UpdateEmployeeRequest, altalunev1.UpdateEmployeeResponse]
	Delete rpc[altalunev1.DeleteEmployeeRequest, altalunev1.DeleteEmployeeResponse]
}

type currencyClient struct {
	Query  rpc[altalunev1.QueryCurrenciesRequest, altalunev1.QueryCurrenciesResponse]
	Create rpc[altalunev1.CreateCurrencyRequest, altalunev1.CreateCurrencyResponse]
	Get    rpc[altalunev1.GetCurrencyRequest, altalunev1.GetCurrencyResponse]
	Update rpc[altalunev1.UpdateCurrencyRequest, altalunev1.UpdateCurrencyResponse]
	Delete rpc[altalunev1.DeleteCurrencyRequest, altalunev1.DeleteCurrencyResponse]
}

type ticketClient struct {
	Query  rpc[altalunev1.QueryTicketsRequest, altalunev1.QueryTicketsResponse]
	Create rpc[altalunev1.CreateTicketRequest, altalunev1.CreateTicketResponse]
	Get    rpc[altalunev1.GetTicketRequest, altalunev1.GetTicketResponse]
	Update rpc[altalunev1.UpdateTicketRequest, altalunev1.UpdateTicketResponse]
	Delete rpc[altalunev1.DeleteTicketRequest, altalunev1.DeleteTicketResponse]
	Close  rpc[altalunev1.CloseTicketRequest, altalunev1.CloseTicketResponse]
}

type apiKeyClient struct {
	Query  rpc[altalunev1.QueryApiKeysRequest, altalunev1.QueryApiKeysResponse]
	Create rpc[altalunev1.CreateApiKeyRequest, altalunev1.CreateApiKeyResponse]
	Get    rpc[altalunev1.GetApiKeyRequest, altalunev1.GetApiKeyResponse]
	Update rpc[altalunev1.UpdateApiKeyRequest, altalunev1.UpdateApiKeyResponse]
	Delete rpc[altalunev1.DeleteApiKeyRequest, altalunev1.DeleteApiKeyResponse]
	Verify rpc[altalunev1.VerifyApiKeyRequest, altalunev1.VerifyApiKeyResponse]
}

type roleClient struct {
	Query  rpc[altalunev1.QueryRolesRequest, altalunev1.QueryRolesResponse]
	Create rpc[altalunev1.CreateRoleRequest, altalunev1.CreateRoleResponse]
	Get    rpc[altalunev1.GetRoleRequest, altalunev1.GetRoleResponse]
	Update rpc[altalunev1.UpdateRoleRequest, altalunev1.UpdateRoleResponse]
	Delete rpc[altalunev1.DeleteRoleRequest, altalunev1.DeleteRoleResponse]
}

type nodeClient struct {
	Query  rpc[altalunev1.QueryNodesRequest, altalunev1.QueryNodesResponse]
	List   rpc[altalunev1.ListNodesRequest, altalunev1.ListNodesResponse]
	Create rpc[altalunev1.CreateNodeRequest, altalunev1.CreateNodeResponse]
	Get    rpc[altalunev1.GetNodeRequest, altalunev1.GetNodeResponse]
	Update rpc[altalunev1.UpdateNodeRequest, altalunev1.UpdateNodeResponse]
	Delete rpc[altalunev1.DeleteNodeRequest, altalunev1.DeleteNodeResponse]
}

type projectSettingClient struct {
	Get    rpc[altalunev1.GetProjectSettingRequest, altalunev1.GetProjectSettingResponse]
	Update rpc[altalunev1.UpdateProjectSettingRequest, altalunev1.UpdateProjectSettingResponse]
}

type ticketCommentClient struct {
	Create rpc[altalunev1.CreateTicketCommentRequest, altalunev1.CreateTicketCommentResponse]
	Delete rpc[altalunev1.DeleteTicketCommentRequest, altalunev1.DeleteTicketCommentResponse]
}

// API is the server seen through one protocol.
type API struct {
	Protocol   string // "connect" or "grpc"
	Projects   projectClient
	Employees  employeeClient
	Currencies currencyClient
	Tickets    ticketClient
	APIKeys    apiKeyClient
	Roles      roleClient
	Nodes      nodeClient
	Settings   projectSettingClient
	Comments   ticketCommentClient
}

// viaConnect adapts a generated Connect client method.
func viaConnect[Req, Res any](call func(context.Context, *connect.Request[Req]) (*connect.Response[Res], error)) rpc[Req, Res] {
	return func(ctx context.Context, req *Req) (*Res, error) {
		res, err := call(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}
}

// viaGRPC adapts a generated gRPC client method.
func viaGRPC[Req, Res any](call func(context.Context, *Req, ...grpc.CallOption) (*Res, error)) rpc[Req, Res] {
	return func(ctx context.Context, req *Req) (*Res, error) {
		return call(ctx, req)
	}
}

// bearerConnect sends token as a Bearer token with every call; "" sends
// none.
func bearerConnect(token string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if token != "" {
				req.Header().Set("Authorization", "Bearer "+token)
			}
			return next(ctx, req)
		}
	}
}

// bearerGRPC sends token in the authorization metadata of every call; ""
// sends none.
func bearerGRPC(token string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// newConnectAPI speaks the Connect protocol with JSON bodies to baseURL
// (http://host:port/api), sending token with every call.
func newConnectAPI(baseURL, token string) *API {
	hc := &http.Client{Timeout: callTimeout}
	opts := []connect.ClientOption{connect.WithProtoJSON(), connect.WithInterceptors(bearerConnect(token))}
	p := altalunev1connect.NewProjectServiceClient(hc, baseURL, opts...)
	e := altalunev1connect.NewEmployeeServiceClient(hc, baseURL, opts...)
	c := altalunev1connect.NewCurrencyServiceClient(hc, baseURL, opts...)
	t := altalunev1connect.NewTicketServiceClient(hc, baseURL, opts...)
	k := altalunev1connect.NewApiKeyServiceClient(hc, baseURL, opts...)
	r := altalunev1connect.NewRoleServiceClient(hc, baseURL, opts...)
	n := altalunev1connect.NewNodeServiceClient(hc, baseURL, opts...)
	ps := altalunev1connect.NewProjectSettingServiceClient(hc, baseURL, opts...)
	tc := altalunev1connect.NewTicketCommentServiceClient(hc, baseURL, opts...)
	return &API{
		Protocol: "connect",
		Projects: projectClient{
			Create: viaConnect(p.CreateProject),
			Get:    viaConnect(p.GetProject),
			Query:  viaConnect(p.QueryProjects),
		},
		Employees: employeeClient{
			Query:  viaConnect(e.QueryEmployees),
			Create: viaConnect(e.CreateEmployee),
			Get:    viaConnect(e.GetEmployee),
			Update: viaConnect(e.UpdateEmployee),
			Delete: viaConnect(e.DeleteEmployee),
		},
		Currencies: currencyClient{
			Query:  viaConnect(c.QueryCurrencies),
			Create: viaConnect(c.CreateCurrency),
			Get:    viaConnect(c.GetCurrency),
			Update: viaConnect(c.UpdateCurrency),
			Delete: viaConnect(c.DeleteCurrency),
		},
		Tickets: ticketClient{
			Query:  viaConnect(t.QueryTickets),
			Create: viaConnect(t.CreateTicket),
			Get:    viaConnect(t.GetTicket),
			Update: viaConnect(t.UpdateTicket),
			Delete: viaConnect(t.DeleteTicket),
			Close:  viaConnect(t.CloseTicket),
		},
		APIKeys: apiKeyClient{
			Query:  viaConnect(k.QueryApiKeys),
			Create: viaConnect(k.CreateApiKey),
			Get:    viaConnect(k.GetApiKey),
			Update: viaConnect(k.UpdateApiKey),
			Delete: viaConnect(k.DeleteApiKey),
			Verify: viaConnect(k.VerifyApiKey),
		},
		Roles: roleClient{
			Query:  viaConnect(r.QueryRoles),
			Create: viaConnect(r.CreateRole),
			Get:    viaConnect(r.GetRole),
			Update: viaConnect(r.UpdateRole),
			Delete: viaConnect(r.DeleteRole),
		},
		Nodes: nodeClient{
			Query:  viaConnect(n.QueryNodes),
			List:   viaConnect(n.ListNodes),
			Create: viaConnect(n.CreateNode),
			Get:    viaConnect(n.GetNode),
			Update: viaConnect(n.UpdateNode),
			Delete: viaConnect(n.DeleteNode),
		},
		Settings: projectSettingClient{
			Get:    viaConnect(ps.GetProjectSetting),
			Update: viaConnect(ps.UpdateProjectSetting),
		},
		Comments: ticketCommentClient{
			Create: viaConnect(tc.CreateTicketComment),
			Delete: viaConnect(tc.DeleteTicketComment),
		},
	}
}

// newGRPCAPI speaks gRPC (plaintext HTTP/2) to addr, sending token with
// every call.
func newGRPCAPI(addr, token string) (*API, func(), error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(bearerGRPC(token)))
	if err != nil {
		return nil, nil, err
	}
	p := altalunev1.NewProjectServiceClient(conn)
	e := altalunev1.NewEmployeeServiceClient(conn)
	c := altalunev1.NewCurrencyServiceClient(conn)
	t := altalunev1.NewTicketServiceClient(conn)
	k := altalunev1.NewApiKeyServiceClient(conn)
	r := altalunev1.NewRoleServiceClient(conn)
	n := altalunev1.NewNodeServiceClient(conn)
	ps := altalunev1.NewProjectSettingServiceClient(conn)
	tc := altalunev1.NewTicketCommentServiceClient(conn)
	api := &API{
		Protocol: "grpc",
		Projects: projectClient{
			Create: viaGRPC(p.CreateProject),
			Get:    viaGRPC(p.GetProject),
			Query:  viaGRPC(p.QueryProjects),
		},
		Employees: employeeClient{
			Query:  viaGRPC(e.QueryEmployees),
			Create: viaGRPC(e.CreateEmployee),
			Get:    viaGRPC(e.GetEmployee),
			Update: viaGRPC(e.UpdateEmployee),
			Delete: viaGRPC(e.DeleteEmployee),
		},
		Currencies: currencyClient{
			Query:  viaGRPC(c.QueryCurrencies),
			Create: viaGRPC(c.CreateCurrency),
			Get:    viaGRPC(c.GetCurrency),
			Update: viaGRPC(c.UpdateCurrency),
			Delete: viaGRPC(c.DeleteCurrency),
		},
		Tickets: ticketClient{
			Query:  viaGRPC(t.QueryTickets),
			Create: viaGRPC(t.CreateTicket),
			Get:    viaGRPC(t.GetTicket),
			Update: viaGRPC(t.UpdateTicket),
			Delete: viaGRPC(t.DeleteTicket),
			Close:  viaGRPC(t.CloseTicket),
		},
		APIKeys: apiKeyClient{
			Query:  viaGRPC(k.QueryApiKeys),
			Create: viaGRPC(k.CreateApiKey),
			Get:    viaGRPC(k.GetApiKey),
			Update: viaGRPC(k.UpdateApiKey),
			Delete: viaGRPC(k.DeleteApiKey),
			Verify: viaGRPC(k.VerifyApiKey),
		},
		Roles: roleClient{
			Query:  viaGRPC(r.QueryRoles),
			Create: viaGRPC(r.CreateRole),
			Get:    viaGRPC(r.GetRole),
			Update: viaGRPC(r.UpdateRole),
			Delete: viaGRPC(r.DeleteRole),
		},
		Nodes: nodeClient{
			Query:  viaGRPC(n.QueryNodes),
			List:   viaGRPC(n.ListNodes),
			Create: viaGRPC(n.CreateNode),
			Get:    viaGRPC(n.GetNode),
			Update: viaGRPC(n.UpdateNode),
			Delete: viaGRPC(n.DeleteNode),
		},
		Settings: projectSettingClient{
			Get:    viaGRPC(ps.GetProjectSetting),
			Update: viaGRPC(ps.UpdateProjectSetting),
		},
		Comments: ticketCommentClient{
			Create: viaGRPC(tc.CreateTicketComment),
			Delete: viaGRPC(tc.DeleteTicketComment),
		},
	}
	return api, func() { _ = conn.Close() }, nil
}

// apisWithToken returns one API per protocol, each sending token ("" for
// none); the gRPC connection closes when the test ends.
func apisWithToken(t *testing.T, token string) []*API {
	t.Helper()
	grpcAPI, closeGRPC, err := newGRPCAPI(grpcAddr, token)
	if err != nil {
		t.Fatalf("grpc client: %v", err)
	}
	t.Cleanup(closeGRPC)
	return []*API{newConnectAPI(httpBase+"/api", token), grpcAPI}
}

// forEachProtocol runs body once per protocol, as subtests "connect" and "grpc".
func forEachProtocol(t *testing.T, body func(t *testing.T, api *API)) {
	t.Helper()
	if len(protocols) == 0 {
		t.Fatal("no clients: TestMain did not set up the server")
	}
	for _, api := range protocols {
		t.Run(api.Protocol, func(t *testing.T) {
			body(t, api)
		})
	}
}

// ctxFor returns a context for one RPC, cancelled when the test ends.
func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}
