package domainkit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hrz8/altalune"
	project_domain "github.com/hrz8/altalune/internal/domain/project"
	"github.com/hrz8/altalune/internal/postgres"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// rootIndex names the index a violated index belongs to: the index of the
// partitioned table for a partition's own index, itself otherwise.
const rootIndex = `
WITH RECURSIVE chain(oid, depth) AS (
	SELECT c.oid, 0
	FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relname = $2 AND ($1 = '' OR n.nspname = $1)
	UNION ALL
	SELECT i.inhparent, chain.depth + 1
	FROM pg_inherits i
	JOIN chain ON i.inhrelid = chain.oid
)
SELECT c.relname FROM chain JOIN pg_class c ON c.oid = chain.oid
ORDER BY chain.depth DESC
LIMIT 1`

// UniqueViolation maps a unique violation to the error byIndex gives its
// index, and returns any other error unchanged. A row written through a
// partitioned table violates the partition's own copy of the index, so the
// index is first resolved to the one created on the table.
func UniqueViolation(ctx context.Context, db postgres.DB, err error, byIndex map[string]error) error {
	var pgErr *pgconn.PgError
	if !postgres.IsUniqueViolation(err) || !errors.As(err, &pgErr) {
		return err
	}
	if mapped, ok := byIndex[pgErr.ConstraintName]; ok {
		return mapped
	}
	var root string
	if db.QueryRowContext(ctx, rootIndex, pgErr.SchemaName, pgErr.ConstraintName).Scan(&root) == nil {
		if mapped, ok := byIndex[root]; ok {
			return mapped
		}
	}
	return err
}

// Unexpected answers a failure that no domain error names. What the client
// sent is its own fault: an invalid query, a document that cannot be stored
// (DocumentError) or a value the database cannot store (too long, out of
// range, an index entry too large) is an invalid payload. A request the client cancelled or let expire is not a failure:
// its context error is returned as is, which gRPC and Connect answer with
// Canceled or DeadlineExceeded. Anything else is logged and answered as an
// internal error. args are key/value pairs; pairs with an empty value are
// left out of the log.
func Unexpected(ctx context.Context, log altalune.Logger, op string, err error, args ...any) error {
	var invalid *InvalidQueryError
	if errors.As(err, &invalid) {
		return altalune.NewInvalidPayloadError(invalid.Error())
	}
	var missing *MissingParent
	if errors.As(err, &missing) {
		return altalune.NewInvalidPayloadError(missing.Error())
	}
	var document *DocumentError
	if errors.As(err, &document) {
		return altalune.NewInvalidPayloadError(document.Error())
	}
	if reason, ok := unstorable(err); ok {
		return altalune.NewInvalidPayloadError(reason)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		log.DebugContext(ctx, op+" stopped", "error", err)
		return err
	}
	attrs := []any{"error", err}
	for i := 0; i+1 < len(args); i += 2 {
		if args[i+1] != "" {
			attrs = append(attrs, args[i], args[i+1])
		}
	}
	log.ErrorContext(ctx, "failed to "+op, attrs...)
	return altalune.NewUnexpectedError("failed to "+op, err)
}

// unstorable says why the database refused a value a request carried:
// PostgreSQL's data exceptions (class 22) and program limits (class 54, such
// as an index entry too large).
func unstorable(err error) (string, bool) {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return "", false
	}
	switch {
	case strings.HasPrefix(pgErr.Code, "22"), strings.HasPrefix(pgErr.Code, "54"):
		return "a value cannot be stored: " + pgErr.Message, true
	}
	return "", false
}

// CheckRequest refuses what no rule of a request's own can: a
// google.protobuf.Timestamp outside the years 1 to 9999 (a binary client can
// send any seconds), a string holding a NUL character, and an enum number
// the enum does not declare, anywhere in the message (nested messages, lists
// and maps included). PostgreSQL could store none of them.
func CheckRequest(msg proto.Message) error {
	if msg == nil || !msg.ProtoReflect().IsValid() {
		return errors.New("empty request")
	}
	return checkMessage(msg.ProtoReflect(), "")
}

func checkMessage(m protoreflect.Message, path string) error {
	if ts, ok := m.Interface().(*timestamppb.Timestamp); ok {
		if err := ts.CheckValid(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	var bad error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := string(fd.Name())
		if path != "" {
			name = path + "." + name
		}
		switch {
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len() && bad == nil; i++ {
				bad = checkValue(fd, list.Get(i), fmt.Sprintf("%s[%d]", name, i))
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				key := k.String()
				if strings.ContainsRune(key, 0) {
					bad = fmt.Errorf("%s: a key contains a NUL character", name)
					return false
				}
				bad = checkValue(fd.MapValue(), mv, fmt.Sprintf("%s[%q]", name, key))
				return bad == nil
			})
		default:
			bad = checkValue(fd, v, name)
		}
		return bad == nil
	})
	return bad
}

func checkValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string) error {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if strings.ContainsRune(v.String(), 0) {
			return fmt.Errorf("%s: contains a NUL character", path)
		}
	case protoreflect.EnumKind:
		if n := v.Enum(); n != 0 && fd.Enum().Values().ByNumber(n) == nil {
			return fmt.Errorf("%s: %d is not a value of %s", path, n, fd.Enum().FullName())
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return checkMessage(v.Message(), path)
	}
	return nil
}

// ProjectID resolves the public ID of a project to its internal ID; an
// unknown project is answered with NewProjectNotFound.
func ProjectID(ctx context.Context, log altalune.Logger, projects project_domain.Repositor, publicID string) (int64, error) {
	id, err := projects.GetIDByPublicID(ctx, publicID)
	if errors.Is(err, project_domain.ErrProjectNotFound) {
		return 0, altalune.NewProjectNotFound(publicID)
	}
	if err != nil {
		return 0, Unexpected(ctx, log, "resolve project", err, "project_id", publicID)
	}
	return id, nil
}
