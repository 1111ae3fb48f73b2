//go:build e2e

package e2e

// An API robustness test: random, partial and empty request messages sent to
// every RPC of the server, over gRPC and over Connect (binary and JSON
// bodies), must never make the server panic (not even a panic its recovery
// catches), answer Internal or Unknown, drop a connection or go down, and a
// refused write must leave every row (and partition) as it was.
//
// The RPCs come from the registered descriptors of package altalune.v1, and
// the values from the field types, the buf.validate rules and the
// altalune.codegen options, so an RPC, a field or an entity added later is
// covered without a change here. Per RPC and protocol the test sends
//
//   - the empty message;
//   - a "plausible" message: real project and entity public IDs, values
//     within the validation rules, unique values for unique fields (or,
//     sometimes, a value an earlier answer carried), filter keys and values
//     the server listed in an earlier answer;
//   - plausible messages with one field removed, each field in turn;
//   - then, up to ALTALUNE_E2E_FUZZ_N messages in all (default 40) and
//     within its share of the time budget, plausible messages with one
//     field (at any depth) or several set to random values, and random
//     messages (extreme numbers, NaN and infinities, undeclared enum
//     numbers, timestamps outside 0001-9999, empty, long, NUL-carrying,
//     unicode and hostile strings, long lists and maps, random queries...);
//   - and a few messages without a token or with a token holding no
//     permission.
//
// Every answer must be a success or one of fuzzAllowedCodes; the server log
// must not mention a panic; around every call of a write RPC the tables are
// fingerprinted, and a refused write must leave them as they were; after
// every batch GET /healthz and a gRPC call must still succeed.
//
// The generator is math/rand/v2 seeded with ALTALUNE_E2E_FUZZ_SEED (default
// fuzzDefaultSeed); the same seed gives the same messages, except for the
// server-assigned public IDs. ALTALUNE_E2E_FUZZ_BUDGET (a Go duration,
// default 90s, scaled up with ALTALUNE_E2E_FUZZ_N) bounds the time spent on
// the random messages; ALTALUNE_E2E_FUZZ_VERBOSE=1 logs every call. For a
// long run, raise go test's -timeout too, e.g.
//
//	ALTALUNE_E2E_FUZZ_SEED=7 ALTALUNE_E2E_FUZZ_N=300 go test -tags e2e -timeout 30m -run TestFuzz ./e2e/

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	validate "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	codegenv1 "github.com/hrz8/altalune/gen/altalune/codegen/v1"
	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

const (
	fuzzEnvSeed   = "ALTALUNE_E2E_FUZZ_SEED"
	fuzzEnvN      = "ALTALUNE_E2E_FUZZ_N"
	fuzzEnvBudget = "ALTALUNE_E2E_FUZZ_BUDGET"
	// fuzzEnvVerbose, when set, logs every call and its answer.
	fuzzEnvVerbose = "ALTALUNE_E2E_FUZZ_VERBOSE"

	fuzzDefaultSeed   uint64 = 20240101
	fuzzDefaultN             = 40
	fuzzDefaultBudget        = 90 * time.Second

	// fuzzPackage is the proto package whose services are fuzzed.
	fuzzPackage = "altalune.v1"

	// fuzzMaxText bounds the request text in failure messages.
	fuzzMaxText = 300
	// fuzzMaxGroups bounds the distinct failures reported per RPC and protocol.
	fuzzMaxGroups = 12
	// fuzzMaxResponse bounds what the test reads of an answer.
	fuzzMaxResponse = 256 << 20
)

// fuzzRequiredServices must be among the enumerated services: if one is
// missing, the enumeration is broken.
var fuzzRequiredServices = []string{
	"altalune.v1.ProjectService",
	"altalune.v1.EmployeeService",
	"altalune.v1.CurrencyService",
	"altalune.v1.TicketService",
	"altalune.v1.ApiKeyService",
	"altalune.v1.RoleService",
	"altalune.v1.NodeService",
	"altalune.v1.ProjectSettingService",
	"altalune.v1.TicketCommentService",
}

// fuzzAllowedCodes are the error codes a refused request may get.
var fuzzAllowedCodes = map[connect.Code]bool{
	connect.CodeInvalidArgument:    true,
	connect.CodeNotFound:           true,
	connect.CodeAlreadyExists:      true,
	connect.CodePermissionDenied:   true,
	connect.CodeUnauthenticated:    true,
	connect.CodeFailedPrecondition: true,
	connect.CodeOutOfRange:         true,
	connect.CodeResourceExhausted:  true, // message too large
}

// fuzzLastProcedures run after the other RPCs: every project they create
// adds a partition to every partitioned table, which makes the fingerprints
// of the tables slower.
var fuzzLastProcedures = []string{"/altalune.v1.ProjectService/CreateProject"}

// fuzzReadPrefixes name the RPCs that must not write; every other RPC is
// fingerprinted around each call.
var fuzzReadPrefixes = []string{"Get", "Query", "List"}

// ---------------------------------------------------------------------------
// The test

func TestFuzzAPIRobustness(t *testing.T) {
	if len(protocols) == 0 || fuzzServerLog == nil {
		t.Fatal("no server: TestMain did not set it up")
	}
	cfg := fuzzConfigFromEnv(t)
	t.Logf("fuzz: seed %d (%s), %d messages per RPC and protocol, random-message budget %s",
		cfg.seed, fuzzEnvSeed, cfg.n, cfg.budget)

	methods := fuzzMethods(t)
	schema := fuzzLoadSchema(t)
	r := newFuzzRunner(t, cfg, schema, methods)
	fx := fuzzSetUpFixtures(t, r)
	fuzzCheckFingerprint(t, r, fx)

	start := time.Now()
	batches := len(methods) * 2
	batch := 0
	for _, m := range methods {
		for _, protocol := range []string{"connect", "grpc"} {
			batch++
			deadline := start.Add(cfg.budget * time.Duration(batch) / time.Duration(batches))
			t.Run(string(m.method.FullName())+"/"+protocol, func(t *testing.T) {
				r.runBatch(t, fx, m, protocol, deadline)
			})
			if msg := r.alive(t); msg != "" {
				t.Fatalf("after %s over %s (seed %d): the server is no longer healthy: %s\nserver log:\n%s",
					m.procedure, protocol, cfg.seed, msg, fuzzTail(fuzzLogText(t), 60))
			}
		}
	}

	if lines := fuzzPanicLines(fuzzLogText(t)); len(lines) > 0 {
		t.Errorf("seed %d: the server log has %d line(s) mentioning a panic:\n%s", cfg.seed, len(lines), strings.Join(lines, "\n"))
	}
	r.logSummary(t, time.Since(start))
}

// fuzzConfig is what the environment may change.
type fuzzConfig struct {
	seed    uint64
	n       int
	budget  time.Duration
	verbose bool
}

func fuzzConfigFromEnv(t *testing.T) fuzzConfig {
	t.Helper()
	cfg := fuzzConfig{seed: fuzzDefaultSeed, n: fuzzDefaultN, budget: fuzzDefaultBudget, verbose: os.Getenv(fuzzEnvVerbose) != ""}
	if v := os.Getenv(fuzzEnvSeed); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", fuzzEnvSeed, v, err)
		}
		cfg.seed = s
	}
	if v := os.Getenv(fuzzEnvN); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive integer", fuzzEnvN, v)
		}
		cfg.n = n
		if n > fuzzDefaultN {
			cfg.budget = fuzzDefaultBudget * time.Duration(n) / fuzzDefaultN
		}
	}
	if v := os.Getenv(fuzzEnvBudget); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("%s=%q: want a positive Go duration", fuzzEnvBudget, v)
		}
		cfg.budget = d
	}
	return cfg
}

// ---------------------------------------------------------------------------
// RPCs and schema, from the descriptors

// fuzzMethod is one RPC of the API.
type fuzzMethod struct {
	method    protoreflect.MethodDescriptor
	procedure string // "/altalune.v1.EmployeeService/CreateEmployee"
	input     protoreflect.MessageType
	output    protoreflect.MessageType
	write     bool
}

// fuzzMethods lists every unary RPC of the services of fuzzPackage.
func fuzzMethods(t *testing.T) []fuzzMethod {
	t.Helper()
	var out []fuzzMethod
	services := map[string]bool{}
	protoregistry.GlobalFiles.RangeFilesByPackage(fuzzPackage, func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			services[string(sd.FullName())] = true
			for j := range sd.Methods().Len() {
				md := sd.Methods().Get(j)
				if md.IsStreamingClient() || md.IsStreamingServer() {
					t.Fatalf("%s is a streaming RPC: the robustness test only knows unary RPCs", md.FullName())
				}
				in, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
				if err != nil {
					t.Fatalf("input type of %s: %v", md.FullName(), err)
				}
				outType, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
				if err != nil {
					t.Fatalf("output type of %s: %v", md.FullName(), err)
				}
				name := string(md.Name())
				write := !slices.ContainsFunc(fuzzReadPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
				out = append(out, fuzzMethod{
					method:    md,
					procedure: "/" + string(sd.FullName()) + "/" + name,
					input:     in,
					output:    outType,
					write:     write,
				})
			}
		}
		return true
	})
	for _, s := range fuzzRequiredServices {
		if !services[s] {
			t.Fatalf("service %s not found among the registered services of %s (%v)", s, fuzzPackage, services)
		}
	}
	// By procedure, but the RPCs in fuzzLastProcedures last.
	slices.SortFunc(out, func(a, b fuzzMethod) int {
		la, lb := slices.Contains(fuzzLastProcedures, a.procedure), slices.Contains(fuzzLastProcedures, b.procedure)
		switch {
		case la && !lb:
			return 1
		case lb && !la:
			return -1
		}
		return strings.Compare(a.procedure, b.procedure)
	})
	return out
}

// fuzzEntity is a message with the altalune.codegen entity option.
type fuzzEntity struct {
	desc        protoreflect.MessageDescriptor
	table       string
	idField     string // field naming it in requests, e.g. "employee_id"
	partitioned bool   // its table has a project_id column
	// hasCreatedAt tells whether its table has a created_at column.
	hasCreatedAt bool
	create       string // procedure creating one, "" if none
}

// fuzzSchema is what the generator knows of the API beyond field types.
type fuzzSchema struct {
	entities []*fuzzEntity
	tables   []string // every table a write may change
	// enumWords are the ways enum values may be spelled in filters.
	enumWords []string
}

func fuzzLoadSchema(t *testing.T) *fuzzSchema {
	t.Helper()
	s := &fuzzSchema{tables: []string{projectsTable, employeesTable, ticketsTable, currenciesTable}}
	protoregistry.GlobalFiles.RangeFilesByPackage(fuzzPackage, func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Messages().Len() {
			md := fd.Messages().Get(i)
			opts, _ := proto.GetExtension(md.Options(), codegenv1.E_Entity).(*codegenv1.EntityOptions)
			if opts == nil || opts.GetTable() == "" {
				continue
			}
			e := &fuzzEntity{desc: md, table: opts.GetTable(), idField: fuzzSnake(string(md.Name())) + "_id"}
			s.entities = append(s.entities, e)
			if !slices.Contains(s.tables, e.table) {
				s.tables = append(s.tables, e.table)
			}
		}
		for i := range fd.Enums().Len() {
			ed := fd.Enums().Get(i)
			prefix := fuzzUpperSnake(string(ed.Name())) + "_"
			for j := range ed.Values().Len() {
				vd := ed.Values().Get(j)
				name := string(vd.Name())
				s.enumWords = append(s.enumWords, name, strings.ToLower(strings.TrimPrefix(name, prefix)),
					strconv.Itoa(int(vd.Number())))
				if o, _ := proto.GetExtension(vd.Options(), codegenv1.E_EnumValue).(*codegenv1.EnumValueOptions); o.GetDbValue() != "" {
					s.enumWords = append(s.enumWords, o.GetDbValue())
				}
			}
		}
		return true
	})
	for _, e := range s.entities {
		columns := columnsOf(t, e.table)
		e.partitioned = slices.Contains(columns, "project_id")
		e.hasCreatedAt = slices.Contains(columns, "created_at")
	}
	slices.Sort(s.tables)
	return s
}

// fuzzSnake turns CamelCase into snake_case.
func fuzzSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func fuzzUpperSnake(s string) string { return strings.ToUpper(fuzzSnake(s)) }

// fuzzQueryWords are the sort fields and filter keys worth trying on md (an
// entity): its field names, columns and filter keys.
func fuzzQueryWords(md protoreflect.MessageDescriptor) (sortFields, filterKeys []string) {
	for i := range md.Fields().Len() {
		fd := md.Fields().Get(i)
		name := string(fd.Name())
		sortFields = append(sortFields, name)
		filterKeys = append(filterKeys, name)
		if o, _ := proto.GetExtension(fd.Options(), codegenv1.E_Field).(*codegenv1.FieldOptions); o != nil {
			if o.GetColumn() != "" {
				sortFields = append(sortFields, o.GetColumn())
			}
			if o.GetFilterKey() != "" {
				filterKeys = append(filterKeys, o.GetFilterKey())
			}
		}
	}
	return sortFields, filterKeys
}

// ---------------------------------------------------------------------------
// Fixtures: rows the plausible messages name

// fuzzFixtures are the projects and entities of the test.
type fuzzFixtures struct {
	schema   *fuzzSchema
	projectA project // holds the entities
	projectB project // empty
	// existing are the public IDs of the rows of global tables made before
	// the test: the test neither names nor removes them.
	existing map[string][]string
	// ids are the live public IDs by request field name ("employee_id").
	ids map[string][]string
	// seen are strings answers carried, by field name ("email").
	seen map[string][]string
	// refreshes counts the fixture refreshes (a random stream each).
	refreshes uint64
}

func fuzzSetUpFixtures(t *testing.T, r *fuzzRunner) *fuzzFixtures {
	t.Helper()
	fx := &fuzzFixtures{schema: r.schema, existing: map[string][]string{}, ids: map[string][]string{}, seen: map[string][]string{}}
	root := protocols[0]
	fx.projectA = newProject(t, root)
	fx.projectB = newProject(t, root)
	for _, e := range r.schema.entities {
		if !e.partitioned {
			// Not nil: "= ANY(NULL)" would match nothing.
			fx.existing[e.table] = append([]string{}, dbStrings(t, "SELECT public_id::text FROM "+pgx.Identifier{e.table}.Sanitize())...)
		}
		for _, m := range r.methods {
			if m.method.Name() == protoreflect.Name("Create"+string(e.desc.Name())) {
				e.create = m.procedure
			}
		}
	}
	t.Cleanup(func() {
		// Global rows the test made would be seen by the other tests (t's
		// context is done by now).
		ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
		defer cancel()
		testDB.mu.Lock()
		defer testDB.mu.Unlock()
		for _, e := range r.schema.entities {
			if e.partitioned {
				continue
			}
			sql := "DELETE FROM " + pgx.Identifier{e.table}.Sanitize() + " WHERE NOT (public_id = ANY($1))"
			if _, err := testDB.conn.Exec(ctx, sql, fx.existing[e.table]); err != nil {
				t.Errorf("remove the rows the test added to %s: %v", e.table, err)
			}
		}
	})
	fx.refresh(t, r)
	for _, e := range r.schema.entities {
		if len(fx.ids[e.idField]) < 2 {
			t.Logf("fuzz: warning: no %s could be created for the plausible messages (via %q)", e.desc.Name(), e.create)
		}
	}
	return fx
}

// refresh creates two entities of each kind (through the API, with
// plausible messages), so that every batch finds rows in their first state
// (open tickets, say), and reloads the live IDs of the test's entities, the
// newest first.
func (fx *fuzzFixtures) refresh(t *testing.T, r *fuzzRunner) {
	t.Helper()
	for _, e := range fx.schema.entities {
		if e.create != "" {
			fx.refreshes++
			m := r.methods[slices.IndexFunc(r.methods, func(m fuzzMethod) bool { return m.procedure == e.create })]
			g := newFuzzGen(rand.New(rand.NewPCG(r.cfg.seed, uint64(fx.refreshes))), fx, m)
			g.fixedProject = fx.projectA.PublicID
			for made, attempt := 0, 0; made < 2 && attempt < 8; attempt++ {
				ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
				ans := fuzzCallConnect(ctx, r.hc, m, g.plausible(m.input, 0), m.output.New().Interface(), false, r.root)
				cancel()
				if !ans.refused() {
					made++
				}
			}
		}
		fx.ids[e.idField] = fx.load(t, e)
	}
}

// fuzzCheckFingerprint makes sure a fingerprint sees a changed value.
func fuzzCheckFingerprint(t *testing.T, r *fuzzRunner, fx *fuzzFixtures) {
	t.Helper()
	before := r.fingerprint(t)
	dbExec(t, "UPDATE altalune_projects SET name = name || 'x' WHERE public_id = $1", fx.projectB.PublicID)
	changed := r.fingerprint(t)
	dbExec(t, "UPDATE altalune_projects SET name = left(name, -1) WHERE public_id = $1", fx.projectB.PublicID)
	after := r.fingerprint(t)
	if fuzzDiffFingerprints(before, changed) == "" || fuzzDiffFingerprints(before, after) != "" {
		t.Fatalf("the table fingerprint does not follow a change of a project's name: %q, then %q, then %q", before, changed, after)
	}
}

func (fx *fuzzFixtures) load(t *testing.T, e *fuzzEntity) []string {
	t.Helper()
	table := pgx.Identifier{e.table}.Sanitize()
	order := " ORDER BY public_id LIMIT 10"
	if e.hasCreatedAt {
		order = " ORDER BY created_at DESC, public_id LIMIT 10"
	}
	if e.partitioned {
		return dbStrings(t, "SELECT public_id::text FROM "+table+" WHERE project_id = $1"+order, fx.projectA.ID)
	}
	return dbStrings(t, "SELECT public_id::text FROM "+table+" WHERE NOT (public_id = ANY($1))"+order, fx.existing[e.table])
}

// ---------------------------------------------------------------------------
// Sending requests

// fuzzAnswer is how the server answered a call.
type fuzzAnswer struct {
	code    connect.Code // 0 on success
	message string
	broken  string // the server did not answer as the protocol says
}

func (a fuzzAnswer) refused() bool { return a.code != 0 || a.broken != "" }

func (a fuzzAnswer) String() string {
	switch {
	case a.broken != "":
		return "no proper answer: " + a.broken
	case a.code == 0:
		return "success"
	default:
		return fmt.Sprintf("%s: %q", a.code, fuzzTruncate(a.message, 400))
	}
}

// fuzzCallConnect posts req to the Connect handler of m, as binary or JSON.
func fuzzCallConnect(ctx context.Context, hc *http.Client, m fuzzMethod, req, res proto.Message, asJSON bool, token string) fuzzAnswer {
	var body []byte
	var err error
	contentType := "application/proto"
	if asJSON {
		contentType = "application/json"
		body, err = protojson.Marshal(req)
	} else {
		body, err = proto.Marshal(req)
	}
	if err != nil {
		return fuzzAnswer{broken: "the test could not encode the request: " + err.Error()}
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, httpBase+"/api"+m.procedure, bytes.NewReader(body))
	if err != nil {
		return fuzzAnswer{broken: err.Error()}
	}
	httpReq.Header.Set("Content-Type", contentType)
	httpReq.Header.Set("Connect-Protocol-Version", "1")
	if token != "" {
		httpReq.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(httpReq)
	if err != nil {
		return fuzzAnswer{broken: "transport error: " + err.Error()}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, fuzzMaxResponse))
	if err != nil {
		return fuzzAnswer{broken: fmt.Sprintf("HTTP %d, reading the body: %v", resp.StatusCode, err)}
	}
	if resp.StatusCode == http.StatusOK {
		if asJSON {
			err = protojson.Unmarshal(data, res)
		} else {
			err = proto.Unmarshal(data, res)
		}
		if err != nil {
			return fuzzAnswer{broken: fmt.Sprintf("HTTP 200 with a body that is no %s: %v", m.output.Descriptor().FullName(), err)}
		}
		return fuzzAnswer{}
	}
	var wire struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(data, &wire); err != nil || wire.Code == "" {
		return fuzzAnswer{broken: fmt.Sprintf("HTTP %d with a body that is no Connect error: %q", resp.StatusCode, fuzzTruncate(string(data), 300))}
	}
	var code connect.Code
	if err := code.UnmarshalText([]byte(wire.Code)); err != nil {
		return fuzzAnswer{broken: fmt.Sprintf("HTTP %d with unknown Connect code %q (message %q)", resp.StatusCode, wire.Code, wire.Message)}
	}
	return fuzzAnswer{code: code, message: wire.Message}
}

// fuzzCallGRPC invokes m over conn.
func fuzzCallGRPC(ctx context.Context, conn *grpc.ClientConn, m fuzzMethod, req, res proto.Message, token string) fuzzAnswer {
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	err := conn.Invoke(ctx, m.procedure, req, res)
	if err == nil {
		return fuzzAnswer{}
	}
	st, ok := status.FromError(err)
	if !ok {
		return fuzzAnswer{broken: err.Error()}
	}
	return fuzzAnswer{code: connect.Code(st.Code()), message: st.Message()}
}

// ---------------------------------------------------------------------------
// The runner: sends the batches and checks every answer

type fuzzRunner struct {
	cfg     fuzzConfig
	schema  *fuzzSchema
	hc      *http.Client
	conn    *grpc.ClientConn
	root    string // token with the root permission
	nobody  string // token with no permission at all
	methods []fuzzMethod
	stats   []*fuzzStats
	calls   int
	// Time spent in the calls and in fingerprinting the tables.
	callTime, fingerprintTime time.Duration
	fingerprints              int
	// lastFingerprint is the fingerprint taken after the last call, if it
	// was a write; nil once anything else ran.
	lastFingerprint []string
}

// fuzzStats counts the answers of one RPC over one protocol.
type fuzzStats struct {
	procedure, protocol string
	calls, ok, json     int
	codes               map[connect.Code]int
	failures            int
}

// fuzzCase is one request to send.
type fuzzCase struct {
	kind   string // "empty", "plausible", "plausible without x", "random", ...
	msg    proto.Message
	token  string
	asJSON bool
}

// fuzzFailure is a distinct failure and how often it happened.
type fuzzFailure struct {
	text  string
	count int
}

func newFuzzRunner(t *testing.T, cfg fuzzConfig, schema *fuzzSchema, methods []fuzzMethod) *fuzzRunner {
	t.Helper()
	conn, err := grpc.NewClient(grpcAddr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(fuzzMaxResponse)))
	if err != nil {
		t.Fatalf("grpc client: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &fuzzRunner{
		cfg:     cfg,
		schema:  schema,
		hc:      &http.Client{Timeout: callTimeout},
		conn:    conn,
		root:    rootToken(),
		nobody:  token("fuzz-nobody", nil, nil),
		methods: methods,
	}
}

// runBatch sends the messages of one RPC over one protocol.
func (r *fuzzRunner) runBatch(t *testing.T, fx *fuzzFixtures, m fuzzMethod, protocol string, deadline time.Time) {
	fx.refresh(t, r)
	r.lastFingerprint = nil // refresh may have added rows
	h := fnv.New64a()
	_, _ = io.WriteString(h, m.procedure+"|"+protocol)
	g := newFuzzGen(rand.New(rand.NewPCG(r.cfg.seed, h.Sum64())), fx, m)
	st := &fuzzStats{procedure: m.procedure, protocol: protocol, codes: map[connect.Code]int{}}
	r.stats = append(r.stats, st)
	failures := map[string]*fuzzFailure{}
	var order []string

	send := func(c fuzzCase) {
		if protocol == "connect" && c.asJSON {
			if _, err := protojson.Marshal(c.msg); err != nil {
				c.asJSON = false // e.g. a timestamp outside 0001-9999
			}
		}
		key, text, res := r.send(t, m, protocol, c, st)
		if res != nil {
			g.learn(res.ProtoReflect())
		}
		if key == "" {
			return
		}
		st.failures++
		if f, ok := failures[key]; ok {
			f.count++
			return
		}
		failures[key] = &fuzzFailure{text: text, count: 1}
		order = append(order, key)
	}
	jsonNow := func() bool { return protocol == "connect" && g.r.IntN(3) == 0 }

	// (a) the empty message, and (b) a plausible one; over Connect with both
	// encodings.
	for _, asJSON := range fuzzEncodings(protocol) {
		send(fuzzCase{kind: "empty", msg: m.input.New().Interface(), token: r.root, asJSON: asJSON})
		send(fuzzCase{kind: "plausible", msg: g.plausible(m.input, 0), token: r.root, asJSON: asJSON})
	}
	sent := 2
	// (c) plausible messages with one field removed, each field in turn.
	fields := m.input.Descriptor().Fields()
	for i := range fields.Len() {
		if sent >= r.cfg.n {
			break
		}
		msg := g.plausible(m.input, 0)
		fd := fields.Get(i)
		msg.ProtoReflect().Clear(fd)
		send(fuzzCase{kind: "plausible without " + string(fd.Name()), msg: msg, token: r.root, asJSON: jsonNow()})
		sent++
	}
	// (d) plausible messages with one random value (at any depth) or
	// several, and random messages.
	for ; sent < r.cfg.n && time.Now().Before(deadline); sent++ {
		switch sent % 4 {
		case 0, 2:
			msg, path := g.plausibleWithRandomField(m.input)
			send(fuzzCase{kind: "plausible with a random " + path, msg: msg, token: r.root, asJSON: jsonNow()})
		case 1:
			send(fuzzCase{kind: "plausible with random values", msg: g.plausible(m.input, 0.3), token: r.root, asJSON: jsonNow()})
		default:
			send(fuzzCase{kind: "random", msg: g.random(m.input), token: r.root, asJSON: jsonNow()})
		}
	}
	if sent < r.cfg.n {
		t.Logf("time budget reached: %d of %d messages sent", sent, r.cfg.n)
	}
	// Callers without a token, or without any permission.
	send(fuzzCase{kind: "empty, no token", msg: m.input.New().Interface()})
	send(fuzzCase{kind: "plausible, no token", msg: g.plausible(m.input, 0)})
	send(fuzzCase{kind: "random, no token", msg: g.random(m.input), asJSON: jsonNow()})
	send(fuzzCase{kind: "plausible, token without permissions", msg: g.plausible(m.input, 0), token: r.nobody})

	for i, key := range order {
		if i == fuzzMaxGroups {
			t.Errorf("... and %d more distinct failures", len(order)-fuzzMaxGroups)
			break
		}
		f := failures[key]
		t.Errorf("%s\n  (%d call(s) of %s over %s failed this way)", f.text, f.count, m.procedure, protocol)
	}
}

func fuzzEncodings(protocol string) []bool {
	if protocol == "connect" {
		return []bool{false, true}
	}
	return []bool{false}
}

// send makes one call and checks the answer, the server log and, for a
// refused write, the tables. It returns a key naming the kind of failure
// and its description ("" when all is well), and the response of a
// successful call.
func (r *fuzzRunner) send(t *testing.T, m fuzzMethod, protocol string, c fuzzCase, st *fuzzStats) (string, string, proto.Message) {
	t.Helper()
	var before []string
	if m.write {
		// The fingerprint taken after the previous call, when that call was
		// a write and nothing else ran since: only the test changes rows.
		before = r.lastFingerprint
		if before == nil {
			before = r.fingerprint(t)
		}
	}
	r.lastFingerprint = nil
	logStart := fuzzLogSize(t)

	wire := protocol
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	res := m.output.New().Interface()
	callStart := time.Now()
	var ans fuzzAnswer
	if protocol == "grpc" {
		ans = fuzzCallGRPC(ctx, r.conn, m, c.msg, res, c.token)
	} else {
		wire = "connect+proto"
		if c.asJSON {
			wire = "connect+json"
		}
		ans = fuzzCallConnect(ctx, r.hc, m, c.msg, res, c.asJSON, c.token)
	}
	cancel()
	r.callTime += time.Since(callStart)
	r.calls++
	st.calls++
	if c.asJSON {
		st.json++
	}
	if ans.code == 0 && ans.broken == "" {
		st.ok++
	} else {
		st.codes[ans.code]++
	}

	if r.cfg.verbose {
		t.Logf("%s %s (%s): %s -> %s", wire, m.procedure, c.kind, fuzzRequestText(c.msg), ans)
	}
	var problems, kinds []string
	switch {
	case ans.broken != "":
		problems = append(problems, "the server gave no proper answer")
		kinds = append(kinds, "broken")
	case ans.code != 0 && !fuzzAllowedCodes[ans.code]:
		problems = append(problems, "answered "+ans.code.String())
		kinds = append(kinds, "code "+ans.code.String()+" "+fuzzShape(ans.message))
	}
	serverLog := fuzzLogSince(t, logStart)
	if lines := fuzzPanicLines(serverLog); len(lines) > 0 {
		problems = append(problems, "the server logged a panic")
		kinds = append(kinds, "panic "+fuzzShape(lines[0]))
	}
	if m.write {
		after := r.fingerprint(t)
		r.lastFingerprint = after
		// A successful write may change rows.
		if diff := fuzzDiffFingerprints(before, after); ans.refused() && diff != "" {
			problems = append(problems, "the refused write changed rows: "+diff)
			kinds = append(kinds, "refused write changed rows")
		}
	}
	if ans.refused() {
		res = nil
	}
	if len(problems) == 0 {
		return "", "", res
	}
	tokenName := "root token"
	switch c.token {
	case "":
		tokenName = "no token"
	case r.nobody:
		tokenName = "token without permissions"
	}
	text := fmt.Sprintf("%s over %s (seed %d): %s\n  request (%s, %s): %s\n  answer: %s",
		m.procedure, wire, r.cfg.seed, strings.Join(problems, "; "),
		c.kind, tokenName, fuzzRequestText(c.msg), ans)
	if serverLog != "" {
		text += "\n  server log during the call:\n" + fuzzIndent(fuzzTail(serverLog, 20), "    | ")
	}
	return wire + "|" + strings.Join(kinds, "|"), text, res
}

// alive checks that /healthz answers 200 and that the gRPC connection still
// serves a call; it returns what is wrong, or "".
func (r *fuzzRunner) alive(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, httpBase+"/healthz", nil)
	if err != nil {
		return err.Error()
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return "GET /healthz: " + err.Error()
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "GET /healthz: " + resp.Status
	}
	gctx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+r.root)
	in := &altalunev1.QueryProjectsRequest{Query: &altalunev1.QueryRequest{Pagination: &altalunev1.Pagination{PageSize: 1}}}
	if err := r.conn.Invoke(gctx, "/altalune.v1.ProjectService/QueryProjects", in, &altalunev1.QueryProjectsResponse{}); err != nil {
		return "gRPC QueryProjects: " + describeError(err)
	}
	return ""
}

func (r *fuzzRunner) logSummary(t *testing.T, took time.Duration) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "fuzz: %d calls in %s (seed %d): %s in the calls, %s in %d table fingerprints\n",
		r.calls, took.Round(time.Millisecond), r.cfg.seed, r.callTime.Round(time.Millisecond),
		r.fingerprintTime.Round(time.Millisecond), r.fingerprints)
	for _, st := range r.stats {
		codes := make([]string, 0, len(st.codes))
		for c, n := range st.codes {
			codes = append(codes, fmt.Sprintf("%s=%d", c, n))
		}
		slices.Sort(codes)
		fmt.Fprintf(&b, "  %-48s %-7s calls=%-3d (json %-2d) ok=%-3d %s", st.procedure, st.protocol, st.calls, st.json, st.ok, strings.Join(codes, " "))
		if st.failures > 0 {
			fmt.Fprintf(&b, "  FAILURES=%d", st.failures)
		}
		b.WriteByte('\n')
	}
	t.Log(b.String())
}

// ---------------------------------------------------------------------------
// Tables and server log

func (r *fuzzRunner) fingerprint(t *testing.T) []string {
	t.Helper()
	start := time.Now()
	defer func() {
		r.fingerprintTime += time.Since(start)
		r.fingerprints++
	}()
	return fuzzFingerprint(t, r.schema.tables)
}

// fuzzFingerprint is, per table, its row count, its number of partitions
// and a digest of its rows.
func fuzzFingerprint(t *testing.T, tables []string) []string {
	t.Helper()
	parts := make([]string, len(tables))
	for i, table := range tables {
		ident := pgx.Identifier{table}.Sanitize()
		parts[i] = fmt.Sprintf(`SELECT '%s rows=' || count(*)
				|| ' partitions=' || (SELECT count(*) FROM pg_inherits WHERE inhparent = '%s'::regclass)
				|| ' md5=' || coalesce(md5(string_agg(h, '' ORDER BY h)), '')
			FROM (SELECT md5(r::text) AS h FROM %s r) s`, table, ident, ident)
	}
	out := dbStrings(t, strings.Join(parts, " UNION ALL "))
	slices.Sort(out)
	return out
}

func fuzzDiffFingerprints(before, after []string) string {
	var diffs []string
	for i := range max(len(before), len(after)) {
		var b, a string
		if i < len(before) {
			b = before[i]
		}
		if i < len(after) {
			a = after[i]
		}
		if a != b {
			diffs = append(diffs, fmt.Sprintf("[%s] became [%s]", b, a))
		}
	}
	return strings.Join(diffs, ", ")
}

func fuzzLogSize(t *testing.T) int64 {
	t.Helper()
	info, err := fuzzServerLog.Stat()
	if err != nil {
		t.Fatalf("server log: %v", err)
	}
	return info.Size()
}

// fuzzLogSince returns what the server logged after offset from.
func fuzzLogSince(t *testing.T, from int64) string {
	t.Helper()
	size := fuzzLogSize(t)
	if size <= from {
		return ""
	}
	buf := make([]byte, size-from)
	n, err := fuzzServerLog.ReadAt(buf, from)
	if err != nil && err != io.EOF {
		t.Fatalf("read server log: %v", err)
	}
	return string(buf[:n])
}

func fuzzLogText(t *testing.T) string { return fuzzLogSince(t, 0) }

// fuzzPanicLines returns the lines mentioning a panic (the generator never
// puts that word into a request, so the server cannot echo it).
func fuzzPanicLines(text string) []string {
	var out []string
	for line := range strings.Lines(text) {
		if strings.Contains(strings.ToLower(line), "panic") {
			out = append(out, fuzzTruncate(strings.TrimRight(line, "\n"), 2000))
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Rendering

// fuzzRequestText renders a request on one line, long strings, bytes and
// lists shortened, truncated to fuzzMaxText characters.
func fuzzRequestText(m proto.Message) string {
	c := proto.Clone(m)
	fuzzAbbreviate(c.ProtoReflect())
	b, err := prototext.MarshalOptions{}.Marshal(c)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	s := string(b)
	if s == "" {
		s = "{} (empty)"
	}
	return fuzzTruncate(s, fuzzMaxText)
}

// fuzzAbbreviate shortens strings and bytes over 40 bytes (saying their
// length) and lists over 4 elements.
func fuzzAbbreviate(m protoreflect.Message) {
	short := func(v protoreflect.Value, fd protoreflect.FieldDescriptor) protoreflect.Value {
		switch fd.Kind() {
		case protoreflect.StringKind:
			if s := v.String(); len(s) > 40 {
				return protoreflect.ValueOfString(fmt.Sprintf("%s...<%d bytes>", strings.ToValidUTF8(s[:24], ""), len(s)))
			}
		case protoreflect.BytesKind:
			if bs := v.Bytes(); len(bs) > 40 {
				return protoreflect.ValueOfBytes(append(slices.Clip(bs[:8]), fmt.Sprintf("...<%d bytes>", len(bs))...))
			}
		}
		return v
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList():
			l := v.List()
			if l.Len() > 4 {
				l.Truncate(4)
			}
			for i := range l.Len() {
				if fd.Message() != nil {
					fuzzAbbreviate(l.Get(i).Message())
				} else {
					l.Set(i, short(l.Get(i), fd))
				}
			}
		case fd.IsMap():
			mp := v.Map()
			type kv struct {
				k protoreflect.MapKey
				v protoreflect.Value
			}
			var entries []kv
			mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
				entries = append(entries, kv{k, v})
				return true
			})
			for i, e := range entries {
				mp.Clear(e.k)
				if i >= 4 {
					continue
				}
				k := e.k
				if fd.MapKey().Kind() == protoreflect.StringKind {
					k = short(k.Value(), fd.MapKey()).MapKey()
				}
				val := e.v
				if fd.MapValue().Message() != nil {
					fuzzAbbreviate(val.Message())
				} else {
					val = short(val, fd.MapValue())
				}
				mp.Set(k, val)
			}
		case fd.Message() != nil:
			fuzzAbbreviate(v.Message())
		default:
			m.Set(fd, short(v, fd))
		}
		return true
	})
}

func fuzzTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + fmt.Sprintf("...(%d bytes)", len(s))
}

// fuzzShape is s with digits and quoted parts blurred, to group failures
// that differ only in IDs and values.
func fuzzShape(s string) string {
	s = fuzzTruncate(s, 80)
	var b strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			b.WriteRune(r)
		case quoted:
		case unicode.IsDigit(r):
			b.WriteByte('#')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func fuzzTail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		lines[i] = fuzzTruncate(l, 1500)
	}
	return strings.Join(lines, "\n")
}

func fuzzIndent(text, prefix string) string {
	return prefix + strings.ReplaceAll(text, "\n", "\n"+prefix)
}

// ---------------------------------------------------------------------------
// The generator

// fuzzGen makes the requests of one RPC.
type fuzzGen struct {
	r  *rand.Rand
	fx *fuzzFixtures
	// pools hold plausible strings by field name; map keys are under
	// "<field>#key".
	pools map[string][]string
	// realIDs are public IDs of existing rows, of any kind.
	realIDs []string
	// fixedProject, when set, is the project every plausible project_id
	// names.
	fixedProject string
	sortFields   []string
	// learned are the filter keys the server listed in a response.
	learned []string
}

func newFuzzGen(r *rand.Rand, fx *fuzzFixtures, m fuzzMethod) *fuzzGen {
	g := &fuzzGen{r: r, fx: fx, pools: map[string][]string{}}
	a, b := fx.projectA.PublicID, fx.projectB.PublicID
	g.pools["project_id"] = []string{a, a, a, b}
	g.realIDs = []string{a, b}
	for field, ids := range fx.ids {
		g.pools[field] = ids
		g.realIDs = append(g.realIDs, ids...)
	}
	slices.Sort(g.realIDs)

	// Sort fields and filter keys: those of the entity the RPC answers
	// with, if any, else those of every entity.
	var entities []protoreflect.MessageDescriptor
	outFields := m.output.Descriptor().Fields()
	for i := range outFields.Len() {
		if md := outFields.Get(i).Message(); md != nil && slices.ContainsFunc(fx.schema.entities, func(e *fuzzEntity) bool { return e.desc == md }) {
			entities = append(entities, md)
		}
	}
	if len(entities) == 0 {
		for _, e := range fx.schema.entities {
			entities = append(entities, e.desc)
		}
	}
	var filterKeys []string
	for _, md := range entities {
		s, f := fuzzQueryWords(md)
		g.sortFields = append(g.sortFields, s...)
		filterKeys = append(filterKeys, f...)
	}
	g.pools["field"] = g.sortFields
	g.pools["filters#key"] = filterKeys
	g.pools["values"] = fx.schema.enumWords
	g.pools["keyword"] = []string{"", "Fuzz", "e", "example", runTag}
	return g
}

// plausibleWithRandomField returns a plausible message in which one field,
// at any depth, has a random value instead; and the path of that field.
func (g *fuzzGen) plausibleWithRandomField(mt protoreflect.MessageType) (proto.Message, string) {
	m := mt.New()
	g.fillPlausible(m, 0, 0)
	type slot struct {
		parent protoreflect.Message
		fd     protoreflect.FieldDescriptor
		path   string
		depth  int
	}
	var slots []slot
	var walk func(pm protoreflect.Message, prefix string, depth int)
	walk = func(pm protoreflect.Message, prefix string, depth int) {
		fields := pm.Descriptor().Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			path := prefix + string(fd.Name())
			slots = append(slots, slot{pm, fd, path, depth})
			md := fd.Message()
			if md != nil && !fd.IsList() && !fd.IsMap() && pm.Has(fd) && depth < 3 &&
				md.FullName() != "google.protobuf.Timestamp" && !fuzzIsWrapper(md) {
				walk(pm.Mutable(fd).Message(), path+".", depth+1)
			}
		}
	}
	walk(m, "", 0)
	if len(slots) == 0 {
		return m.Interface(), "nothing (no field)"
	}
	s := slots[g.r.IntN(len(slots))]
	s.parent.Clear(s.fd)
	g.setRandom(s.parent, s.fd, s.depth)
	return m.Interface(), s.path
}

// learn takes the filter keys and values a successful answer lists (map
// fields named "filters") into the pools of plausible values, and the
// strings it carries into the values seen (so that later messages may
// repeat a unique value).
func (g *fuzzGen) learn(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap() && fd.Name() == "filters" && fd.MapKey().Kind() == protoreflect.StringKind:
			v.Map().Range(func(k protoreflect.MapKey, val protoreflect.Value) bool {
				g.learned = fuzzAddOnce(g.learned, k.String())
				if md := fd.MapValue().Message(); md != nil {
					if vf := md.Fields().ByName("values"); vf != nil && vf.IsList() && vf.Kind() == protoreflect.StringKind {
						l := val.Message().Get(vf).List()
						for i := range min(l.Len(), 20) {
							g.pools["values"] = fuzzAddOnce(g.pools["values"], l.Get(i).String())
						}
					}
				}
				return true
			})
		case fd.Message() != nil && fd.IsList():
			for i := range min(v.List().Len(), 20) {
				g.learn(v.List().Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			g.learn(v.Message())
		case fd.Kind() == protoreflect.StringKind && !fd.IsList() && !fd.IsMap() && len(v.String()) <= 1000:
			name := string(fd.Name())
			if len(g.fx.seen[name]) < 50 {
				g.fx.seen[name] = fuzzAddOnce(g.fx.seen[name], v.String())
			}
		}
		return true
	})
}

func fuzzAddOnce(s []string, v string) []string {
	if len(s) >= 500 || slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// plausible returns a message of type mt with every field set to a value
// that could pass validation; each field gets a random value instead with
// probability mix.
func (g *fuzzGen) plausible(mt protoreflect.MessageType, mix float64) proto.Message {
	m := mt.New()
	g.fillPlausible(m, mix, 0)
	return m.Interface()
}

func (g *fuzzGen) fillPlausible(m protoreflect.Message, mix float64, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.ContainingOneof() != nil && m.WhichOneof(fd.ContainingOneof()) != nil {
			continue
		}
		if mix > 0 && g.r.Float64() < mix {
			g.setRandom(m, fd, depth)
			continue
		}
		g.setPlausible(m, fd, depth)
	}
}

func (g *fuzzGen) setPlausible(m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) {
	rules := fuzzRulesOf(fd)
	switch {
	case fd.IsList():
		l := m.Mutable(fd).List()
		for range g.r.IntN(3) {
			if fd.Message() != nil {
				if depth < 4 {
					e := l.NewElement()
					g.fillPlausible(e.Message(), 0, depth+1)
					l.Append(e)
				}
			} else {
				l.Append(g.plausibleScalar(fd, rules))
			}
		}
	case fd.IsMap():
		mp := m.Mutable(fd).Map()
		for range g.r.IntN(3) {
			k := g.plausibleMapKey(fd)
			if fd.MapValue().Message() != nil {
				if depth < 4 {
					v := mp.NewValue()
					g.fillPlausible(v.Message(), 0, depth+1)
					mp.Set(k, v)
				}
			} else {
				mp.Set(k, g.plausibleScalar(fd.MapValue(), fuzzRules{}))
			}
		}
	case fd.Message() != nil:
		if depth >= 4 {
			return
		}
		md := fd.Message()
		switch {
		case md.FullName() == "google.protobuf.Timestamp":
			if g.r.IntN(5) == 0 {
				return
			}
			// In the past (a hire date may not be in the future), at
			// microsecond precision.
			secs := time.Now().Unix() - g.r.Int64N(10*365*24*3600) - 60
			ts := m.Mutable(fd).Message()
			ts.Set(md.Fields().ByName("seconds"), protoreflect.ValueOfInt64(secs))
			ts.Set(md.Fields().ByName("nanos"), protoreflect.ValueOfInt32(int32(g.r.IntN(1_000_000)*1000)))
		case fuzzIsWrapper(md):
			if g.r.IntN(4) == 0 {
				return
			}
			inner := md.Fields().ByName("value")
			m.Mutable(fd).Message().Set(inner, g.plausibleScalar(inner, rules))
		default:
			g.fillPlausible(m.Mutable(fd).Message(), 0, depth+1)
		}
	default:
		if fd.HasPresence() && g.r.IntN(4) == 0 {
			return // an optional field left unset
		}
		m.Set(fd, g.plausibleScalar(fd, rules))
	}
}

func (g *fuzzGen) plausibleMapKey(fd protoreflect.FieldDescriptor) protoreflect.MapKey {
	kd := fd.MapKey()
	if kd.Kind() == protoreflect.StringKind {
		if fd.Name() == "filters" && len(g.learned) > 0 && g.r.IntN(4) > 0 {
			return protoreflect.ValueOfString(fuzzPick(g.r, g.learned)).MapKey()
		}
		if pool := g.pools[string(fd.Name())+"#key"]; len(pool) > 0 {
			return protoreflect.ValueOfString(fuzzPick(g.r, pool)).MapKey()
		}
	}
	return g.plausibleScalar(kd, fuzzRules{}).MapKey()
}

func (g *fuzzGen) plausibleScalar(fd protoreflect.FieldDescriptor, rules fuzzRules) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(g.r.IntN(2) == 0)
	case protoreflect.EnumKind:
		var nums []protoreflect.EnumNumber
		values := fd.Enum().Values()
		for i := range values.Len() {
			n := values.Get(i).Number()
			if !slices.Contains(rules.notIn, int64(n)) {
				nums = append(nums, n)
			}
		}
		if len(nums) > 1 && nums[0] == 0 && g.r.IntN(4) > 0 {
			nums = nums[1:] // prefer a declared, specified value
		}
		if len(nums) == 0 {
			return protoreflect.ValueOfEnum(0)
		}
		return protoreflect.ValueOfEnum(fuzzPick(g.r, nums))
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(g.plausibleString(fd, rules))
	case protoreflect.BytesKind:
		n := g.r.IntN(16)
		if rules.maxLen >= 0 && int64(n) > rules.maxLen {
			n = int(rules.maxLen)
		}
		return protoreflect.ValueOfBytes(fuzzBytes(g.r, n))
	}
	// Numbers: within the rules, else small and non-negative.
	lo, hi := 0.0, 1000.0
	if rules.hasLo {
		lo = rules.lo
		if !rules.hasHi {
			hi = lo + 100
		}
	}
	if rules.hasHi {
		hi = rules.hi
		if !rules.hasLo {
			lo = math.Min(0, hi-100)
		}
	}
	if hi < lo {
		hi = lo
	}
	switch fd.Kind() {
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return fuzzNumber(fd.Kind(), lo+g.r.Float64()*(hi-lo))
	default:
		return fuzzNumber(fd.Kind(), math.Floor(lo+g.r.Float64()*(hi-lo+1)))
	}
}

// plausibleString is a value from the field's pool, or one fitting the
// field's rules; unique unless the rules do not leave room.
func (g *fuzzGen) plausibleString(fd protoreflect.FieldDescriptor, rules fuzzRules) string {
	name := string(fd.Name())
	if name == "project_id" && g.fixedProject != "" {
		return g.fixedProject
	}
	if pool := g.pools[name]; len(pool) > 0 {
		if strings.HasSuffix(name, "_id") && g.r.IntN(10) == 0 {
			return fuzzPublicID(g.r, 14) // names nothing
		}
		return fuzzPick(g.r, pool)
	}
	if seen := g.fx.seen[name]; len(seen) > 0 && g.fixedProject == "" && g.r.IntN(6) == 0 {
		return fuzzPick(g.r, seen) // perhaps a unique value taken
	}
	switch {
	case rules.email || strings.HasSuffix(name, "email"):
		return fmt.Sprintf("fuzz%d%s@example.com", next(), runTag)
	case rules.pattern != "":
		return fuzzFromPattern(g.r, rules.pattern)
	case rules.exactLen >= 0:
		return fuzzPublicID(g.r, int(rules.exactLen))
	}
	s := uniq("Fuzz")
	if rules.maxLen >= 0 && int64(len(s)) > rules.maxLen {
		s = s[int64(len(s))-rules.maxLen:] // keep the unique end
	}
	for int64(utf8.RuneCountInString(s)) < rules.minLen {
		s += "x"
	}
	return s
}

// random returns a message of type mt with every field set or not at random,
// to random values.
func (g *fuzzGen) random(mt protoreflect.MessageType) proto.Message {
	m := mt.New()
	g.fillRandom(m, 0)
	return m.Interface()
}

func (g *fuzzGen) fillRandom(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		if g.r.IntN(2) == 0 {
			g.setRandom(m, fields.Get(i), depth)
		}
	}
}

func (g *fuzzGen) setRandom(m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) {
	rules := fuzzRulesOf(fd)
	switch {
	case fd.IsList():
		l := m.Mutable(fd).List()
		for range g.randomCount() {
			if fd.Message() != nil {
				if depth < 4 {
					e := l.NewElement()
					g.fillRandom(e.Message(), depth+1)
					l.Append(e)
				}
			} else {
				l.Append(g.randomScalar(fd, rules))
			}
		}
	case fd.IsMap():
		mp := m.Mutable(fd).Map()
		for range g.randomCount() {
			var k protoreflect.MapKey
			pool := g.pools[string(fd.Name())+"#key"]
			switch {
			case fd.Name() == "filters" && len(g.learned) > 0 && g.r.IntN(3) == 0:
				k = protoreflect.ValueOfString(fuzzPick(g.r, g.learned)).MapKey()
			case len(pool) > 0 && g.r.IntN(2) == 0:
				k = protoreflect.ValueOfString(fuzzPick(g.r, pool)).MapKey()
			default:
				k = g.randomScalar(fd.MapKey(), fuzzRules{}).MapKey()
			}
			if fd.MapValue().Message() != nil {
				if depth < 4 {
					v := mp.NewValue()
					g.fillRandom(v.Message(), depth+1)
					mp.Set(k, v)
				}
			} else {
				mp.Set(k, g.randomScalar(fd.MapValue(), fuzzRules{}))
			}
		}
	case fd.Message() != nil:
		if depth >= 4 {
			return
		}
		md := fd.Message()
		switch {
		case md.FullName() == "google.protobuf.Timestamp":
			ts := m.Mutable(fd).Message()
			ts.Set(md.Fields().ByName("seconds"), protoreflect.ValueOfInt64(g.randomSeconds()))
			ts.Set(md.Fields().ByName("nanos"), protoreflect.ValueOfInt32(g.randomNanos()))
		case fuzzIsWrapper(md):
			inner := md.Fields().ByName("value")
			w := m.Mutable(fd).Message() // set, possibly to its zero value
			if g.r.IntN(4) > 0 {
				w.Set(inner, g.randomScalar(inner, rules))
			}
		default:
			g.fillRandom(m.Mutable(fd).Message(), depth+1)
		}
	default:
		m.Set(fd, g.randomScalar(fd, rules))
	}
}

// randomCount is the length of a random list or map: usually short,
// sometimes long.
func (g *fuzzGen) randomCount() int {
	if g.r.IntN(25) == 0 {
		return 100 + g.r.IntN(300)
	}
	return g.r.IntN(4)
}

func (g *fuzzGen) randomSeconds() int64 {
	return fuzzPick(g.r, []int64{
		1 << 62, -(1 << 62), math.MaxInt64, math.MinInt64, 0, -1,
		-62135596801, -62135596800, // just before and at 0001-01-01
		253402300799, 253402300800, // 9999-12-31 23:59:59 and 10000-01-01
		time.Now().Unix(), time.Now().Unix() + 10*365*24*3600, time.Now().Unix() - 1,
		g.r.Int64(), g.r.Int64N(253402300800),
	})
}

func (g *fuzzGen) randomNanos() int32 {
	if g.r.IntN(2) == 0 {
		return 0
	}
	return fuzzPick(g.r, []int32{999_999_999, 1_000_000_000, -1, math.MaxInt32, math.MinInt32, 1, int32(g.r.IntN(1_000_000_000))})
}

func (g *fuzzGen) randomScalar(fd protoreflect.FieldDescriptor, rules fuzzRules) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(g.r.IntN(2) == 0)
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		if g.r.IntN(2) == 0 {
			return protoreflect.ValueOfEnum(values.Get(g.r.IntN(values.Len())).Number())
		}
		return protoreflect.ValueOfEnum(fuzzPick(g.r, []protoreflect.EnumNumber{
			0, 99, -1, math.MaxInt32, math.MinInt32, values.Get(values.Len()-1).Number() + 1,
		}))
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(g.randomString(fd, rules))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(g.randomBytes(rules))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(g.randomInt(math.MinInt32, math.MaxInt32, int64(int32(g.r.Uint32())), rules)))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(g.randomInt(math.MinInt64, math.MaxInt64, int64(g.r.Uint64()), rules))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(g.randomUint(math.MaxUint32, uint64(g.r.Uint32()), rules)))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(g.randomUint(math.MaxUint64, g.r.Uint64(), rules))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(g.randomFloat(math.MaxFloat32, math.SmallestNonzeroFloat32, rules)))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(g.randomFloat(math.MaxFloat64, math.SmallestNonzeroFloat64, rules))
	}
	panic(fmt.Sprintf("fuzz: unknown kind %s of %s", fd.Kind(), fd.FullName()))
}

func (g *fuzzGen) randomInt(lo, hi, any int64, rules fuzzRules) int64 {
	c := []int64{0, 1, -1, lo, hi, lo + 1, hi - 1, any, g.r.Int64N(2001) - 1000, 1 << 31, -(1 << 31)}
	if rules.hasLo {
		c = append(c, int64(rules.lo)-1, int64(rules.lo))
	}
	if rules.hasHi {
		c = append(c, int64(rules.hi), int64(rules.hi)+1)
	}
	v := fuzzPick(g.r, c)
	return min(max(v, lo), hi)
}

func (g *fuzzGen) randomUint(hi, any uint64, rules fuzzRules) uint64 {
	c := []uint64{0, 1, hi, hi - 1, any, g.r.Uint64N(1001), 1 << 31, 1 << 32, 1 << 63}
	if rules.hasHi && rules.hi >= 0 {
		c = append(c, uint64(rules.hi), uint64(rules.hi)+1)
	}
	return min(fuzzPick(g.r, c), hi)
}

func (g *fuzzGen) randomFloat(hi, tiny float64, rules fuzzRules) float64 {
	c := []float64{0, math.Copysign(0, -1), 1, -1, math.NaN(), math.Inf(1), math.Inf(-1), hi, -hi, tiny, -tiny,
		1e-300, 0.1, (g.r.Float64() - 0.5) * 2e6}
	if rules.hasLo {
		c = append(c, rules.lo, math.Nextafter(rules.lo, math.Inf(-1)))
	}
	if rules.hasHi {
		c = append(c, rules.hi, math.Nextafter(rules.hi, math.Inf(1)))
	}
	return fuzzPick(g.r, c)
}

func (g *fuzzGen) randomBytes(rules fuzzRules) []byte {
	switch g.r.IntN(8) {
	case 0:
		return nil
	case 1:
		return []byte{0}
	case 2:
		return make([]byte, 4096)
	case 3:
		return fuzzBytes(g.r, 4097)
	case 4:
		if g.r.IntN(4) == 0 {
			return fuzzBytes(g.r, 100_000)
		}
		return fuzzBytes(g.r, 1000)
	case 5:
		if rules.maxLen >= 0 {
			return fuzzBytes(g.r, int(rules.maxLen)+g.r.IntN(2))
		}
	}
	return fuzzBytes(g.r, g.r.IntN(33))
}

// fuzzUnicode are valid UTF-8 strings outside ASCII.
var fuzzUnicode = []string{
	"Ünïcødé ✓", "日本語のテキスト", "🚀🔥💯", "\u202eevil\u202c", "e\u0301", "\ufeffbom", "\U0010FFFF",
	"Ω≈ç√∫", "ﷺ", "𝕳𝖊𝖑𝖑𝖔", "\u0000\u0001\u001f", "\u200b\u200c\u200d", "İı", "ß", "\uFFFD\uFFFE",
}

func (g *fuzzGen) randomString(fd protoreflect.FieldDescriptor, rules fuzzRules) string {
	name := string(fd.Name())
	switch g.r.IntN(26) {
	case 0, 1:
		return ""
	case 2:
		return fuzzPick(g.r, []string{" ", " \t\n", "\r\n", "  x  "})
	case 3:
		return fuzzPublicID(g.r, 14)
	case 4:
		if len(g.realIDs) > 0 {
			return fuzzPick(g.r, g.realIDs)
		}
		return fuzzPublicID(g.r, 14)
	case 5:
		return strings.Repeat("x", 10_000)
	case 6:
		if g.r.IntN(2) == 0 {
			return strings.Repeat("ab", 100_000) // 200k characters
		}
		return strings.Repeat("é", 5_000)
	case 7:
		return fuzzPick(g.r, []string{"abc\x00def", "\x00", "fuzz\x00@example.com", "abcdefg\x00hijklm", strings.Repeat("\x00", 14)})
	case 8, 9:
		return fuzzPick(g.r, fuzzUnicode)
	case 10, 11:
		return fuzzPick(g.r, hostileStrings)
	case 12:
		// Lengths at the limits of the rules.
		var c []int
		if rules.maxLen >= 0 {
			c = append(c, int(rules.maxLen), int(rules.maxLen)+1)
		}
		if rules.minLen > 0 {
			c = append(c, int(rules.minLen)-1)
		}
		if rules.exactLen >= 0 {
			c = append(c, int(rules.exactLen)-1, int(rules.exactLen)+1)
		}
		c = append(c, 1, 65, 201, 255, 256, 1025)
		n := max(fuzzPick(g.r, c), 0)
		if g.r.IntN(2) == 0 {
			return strings.Repeat("ü", n) // n characters, 2n bytes
		}
		return fuzzPublicID(g.r, n)
	case 13:
		return g.plausibleString(fd, rules)
	case 14:
		if pool := g.pools[name]; len(pool) > 0 {
			return fuzzPick(g.r, pool)
		}
		return fuzzPick(g.r, g.sortFields)
	case 15:
		return fuzzPublicID(g.r, 1+g.r.IntN(40))
	case 16:
		return fuzzPick(g.r, []string{"-1", "0", "9223372036854775808", "-9223372036854775809", "1e309", "NaN", "Infinity", "0x10", "1.5", "٣"})
	case 17:
		return fuzzPick(g.r, []string{"a@b", "@", "x@" + strings.Repeat("d", 300) + ".com", "fuzz@exa mple.com", "ü@ü.ü",
			"\"quoted\"@example.com", "a@b@c", strings.Repeat("a", 250) + "@example.com"})
	case 18:
		return strings.ToUpper(fuzzPublicID(g.r, g.r.IntN(6)))
	case 19:
		return fuzzPick(g.r, []string{"%", "_", "\\", "%%%", ".*", "[a-", "'", "\"", "`", "\\%", "%_%", "*", "?", "$1", ";"})
	case 20:
		f := fuzzPick(g.r, g.sortFields)
		return fuzzPick(g.r, []string{f + " desc", "-" + f, f + ",name", strings.ToUpper(f), f + "; --", "\"" + f + "\"", f + " ", "1", "random()"})
	case 21:
		return fuzzPick(g.r, []string{"!!!!!!!!!!!!!!", "AAAAAAAAAAAAAA", strings.Repeat("ĳ", 14), "12345678901234", "0000000000000o", "              "})
	case 22:
		return fuzzPick(g.r, []string{"null", "NULL", "undefined", "true", "false", "{}", "[]", "<script>", "${x}", "../../etc/passwd"})
	case 23:
		return fuzzPick(g.r, g.fx.schema.enumWords)
	}
	return fuzzPublicID(g.r, g.r.IntN(20))
}

// ---------------------------------------------------------------------------
// Generator helpers

// fuzzRules are the buf.validate rules of a field the generator uses. A
// negative length means "no rule".
type fuzzRules struct {
	hasLo, hasHi             bool
	lo, hi                   float64
	exactLen, minLen, maxLen int64
	pattern                  string
	email                    bool
	notIn                    []int64
}

// fuzzRulesOf reads the buf.validate rules of fd (for a wrapper, the rules
// of its value).
func fuzzRulesOf(fd protoreflect.FieldDescriptor) fuzzRules {
	out := fuzzRules{exactLen: -1, minLen: -1, maxLen: -1}
	if fd.Options() == nil {
		return out
	}
	fr, _ := proto.GetExtension(fd.Options(), validate.E_Field).(*validate.FieldRules)
	if fr == nil {
		return out
	}
	rm := fr.ProtoReflect()
	typ := rm.WhichOneof(rm.Descriptor().Oneofs().ByName("type"))
	if typ == nil {
		return out
	}
	sub := rm.Get(typ).Message()
	get := func(name string) (protoreflect.Value, bool) {
		f := sub.Descriptor().Fields().ByName(protoreflect.Name(name))
		if f == nil || !sub.Has(f) {
			return protoreflect.Value{}, false
		}
		return sub.Get(f), true
	}
	num := func(v protoreflect.Value) float64 {
		switch x := v.Interface().(type) {
		case int32:
			return float64(x)
		case int64:
			return float64(x)
		case uint32:
			return float64(x)
		case uint64:
			return float64(x)
		case float32:
			return float64(x)
		case float64:
			return x
		}
		return 0
	}
	if v, ok := get("gte"); ok {
		out.hasLo, out.lo = true, num(v)
	} else if v, ok := get("gt"); ok {
		out.hasLo, out.lo = true, num(v)+1
	}
	if v, ok := get("lte"); ok {
		out.hasHi, out.hi = true, num(v)
	} else if v, ok := get("lt"); ok {
		out.hasHi, out.hi = true, num(v)-1
	}
	if v, ok := get("len"); ok {
		out.exactLen = int64(v.Uint())
	}
	if v, ok := get("min_len"); ok {
		out.minLen = int64(v.Uint())
	}
	if v, ok := get("max_len"); ok {
		out.maxLen = int64(v.Uint())
	}
	if v, ok := get("pattern"); ok {
		out.pattern = v.String()
	}
	if v, ok := get("email"); ok {
		out.email = v.Bool()
	}
	if v, ok := get("not_in"); ok {
		l := v.List()
		for i := range l.Len() {
			out.notIn = append(out.notIn, int64(num(l.Get(i))))
		}
	}
	return out
}

func fuzzIsWrapper(md protoreflect.MessageDescriptor) bool {
	return md.ParentFile().Package() == "google.protobuf" && strings.HasSuffix(string(md.Name()), "Value") &&
		md.Fields().Len() == 1 && md.Fields().ByName("value") != nil
}

// fuzzNumber converts f to a value of a numeric kind.
func fuzzNumber(kind protoreflect.Kind, f float64) protoreflect.Value {
	switch kind {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(f))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(f))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(max(f, 0)))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(max(f, 0)))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(f))
	default:
		return protoreflect.ValueOfFloat64(f)
	}
}

func fuzzPick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// fuzzPublicID is n characters of the public ID alphabet (which has no
// "i": a generated string never spells "panic").
func fuzzPublicID(r *rand.Rand, n int) string {
	b := make([]byte, max(n, 0))
	for i := range b {
		b[i] = publicIDAlphabet[r.IntN(len(publicIDAlphabet))]
	}
	return string(b)
}

func fuzzBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// fuzzFromPattern returns a string matching a simple regular expression.
func fuzzFromPattern(r *rand.Rand, pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	var gen func(re *syntax.Regexp)
	repeat := func(re *syntax.Regexp, lo, hi int) {
		if hi < lo {
			hi = lo + 2
		}
		for range lo + r.IntN(hi-lo+1) {
			gen(re.Sub[0])
		}
	}
	gen = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			b.WriteString(string(re.Rune))
		case syntax.OpCharClass:
			if len(re.Rune) >= 2 {
				i := r.IntN(len(re.Rune)/2) * 2
				lo, hi := re.Rune[i], min(re.Rune[i+1], re.Rune[i]+200)
				b.WriteRune(lo + rune(r.IntN(int(hi-lo)+1)))
			}
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('x')
		case syntax.OpCapture:
			gen(re.Sub[0])
		case syntax.OpConcat:
			for _, s := range re.Sub {
				gen(s)
			}
		case syntax.OpAlternate:
			gen(re.Sub[r.IntN(len(re.Sub))])
		case syntax.OpStar:
			repeat(re, 0, 3)
		case syntax.OpPlus:
			repeat(re, 1, 3)
		case syntax.OpQuest:
			repeat(re, 0, 1)
		case syntax.OpRepeat:
			repeat(re, re.Min, re.Max)
		}
	}
	gen(re)
	return b.String()
}
