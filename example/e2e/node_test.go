//go:build e2e

package e2e

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Node has a unique key over two columns, name and lang, per project and
// ignoring case; its public ID is held by node_id.
const (
	codeNodeNotFound = "60801"
	codeNodeExists   = "60802"
)

func newNodeRequest(projectID string) *altalunev1.CreateNodeRequest {
	return &altalunev1.CreateNodeRequest{ProjectId: projectID, Name: uniq("greeting-"), Lang: "en", Reply: "Hello!"}
}

func createNode(t *testing.T, api *API, req *altalunev1.CreateNodeRequest) *altalunev1.Node {
	t.Helper()
	res, err := api.Nodes.Create(ctxFor(t), req)
	requireOK(t, err, "CreateNode")
	if res.GetNode().GetNodeId() == "" {
		t.Fatal("CreateNode returned a node without node_id")
	}
	return res.GetNode()
}

func TestNodes(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("name and lang together are unique per project, ignoring case", func(t *testing.T) {
			p := newProject(t, api)
			en := createNode(t, api, newNodeRequest(p.PublicID))
			requireEqual(t, en.GetLang(), "en", "lang")

			// The same name in another language, and another name in the
			// same language, are other keys.
			id := newNodeRequest(p.PublicID)
			id.Name, id.Lang = en.GetName(), "id"
			idNode := createNode(t, api, id)
			createNode(t, api, newNodeRequest(p.PublicID))

			// The same key, in any case, is taken: the error names both fields.
			before := countRows(t, nodesTable)
			dup := newNodeRequest(p.PublicID)
			dup.Name, dup.Lang = strings.ToUpper(en.GetName()), "EN"
			_, err := api.Nodes.Create(ctxFor(t), dup)
			requireAPIError(t, err, "CreateNode with a taken name and lang", connect.CodeAlreadyExists, codeNodeExists,
				map[string]string{"name": dup.GetName(), "lang": "EN"})
			requireRowCount(t, nodesTable, before)

			// An update onto a taken key is refused, and changes nothing.
			_, err = api.Nodes.Update(ctxFor(t), &altalunev1.UpdateNodeRequest{ProjectId: p.PublicID, NodeId: idNode.GetNodeId(),
				Name: en.GetName(), Lang: "en", Reply: "Halo!"})
			requireAPIError(t, err, "UpdateNode onto a taken name and lang", connect.CodeAlreadyExists, codeNodeExists,
				map[string]string{"name": en.GetName(), "lang": "en"})
			got, err := api.Nodes.Get(ctxFor(t), &altalunev1.GetNodeRequest{ProjectId: p.PublicID, NodeId: idNode.GetNodeId()})
			requireOK(t, err, "GetNode")
			requireProtoEqual(t, got.GetNode(), idNode, "the node after the refused update")

			// Its own key is not a conflict; another project has keys of its own.
			upd, err := api.Nodes.Update(ctxFor(t), &altalunev1.UpdateNodeRequest{ProjectId: p.PublicID, NodeId: en.GetNodeId(),
				Name: strings.ToUpper(en.GetName()), Lang: "en", Reply: "Hello again!"})
			requireOK(t, err, "UpdateNode keeping its key")
			requireEqual(t, upd.GetNode().GetReply(), "Hello again!", "reply")
			other := newProject(t, api)
			same := newNodeRequest(other.PublicID)
			same.Name = en.GetName()
			createNode(t, api, same)
		})

		t.Run("a conflict the database finds names both fields too", func(t *testing.T) {
			// Racing creates pass the service's check together; the unique
			// index refuses all but one, answered with the same error.
			p := newProject(t, api)
			req := newNodeRequest(p.PublicID)
			const racers = 6
			errs := make(chan error, racers)
			for range racers {
				go func() {
					_, err := api.Nodes.Create(ctxFor(t), req)
					errs <- err
				}()
			}
			won := 0
			for range racers {
				if err := <-errs; err != nil {
					requireAPIError(t, err, "a racing CreateNode", connect.CodeAlreadyExists, codeNodeExists,
						map[string]string{"name": req.GetName(), "lang": req.GetLang()})
					continue
				}
				won++
			}
			requireEqual(t, won, 1, "racing creates that succeeded")
		})

		t.Run("ListNodes answers every node of the project in the default order, without paging", func(t *testing.T) {
			p := newProject(t, api)
			other := newProject(t, api)
			createNode(t, api, newNodeRequest(other.PublicID))
			empty, err := api.Nodes.List(ctxFor(t), &altalunev1.ListNodesRequest{ProjectId: p.PublicID})
			requireOK(t, err, "ListNodes of a project without nodes")
			requireEqual(t, len(empty.GetNodes()), 0, "nodes of a new project")

			// More than a Query page, in name order (the default sort).
			var want []string
			for i := range 25 {
				req := newNodeRequest(p.PublicID)
				req.Name = fmt.Sprintf("n%02d-%s", 24-i, runTag)
				want = append(want, req.Name)
				createNode(t, api, req)
			}
			slices.Sort(want)
			res, err := api.Nodes.List(ctxFor(t), &altalunev1.ListNodesRequest{ProjectId: p.PublicID})
			requireOK(t, err, "ListNodes")
			var names []string
			for _, n := range res.GetNodes() {
				names = append(names, n.GetName())
			}
			requireStrings(t, names, want, "ListNodes names")

			_, err = api.Nodes.List(ctxFor(t), &altalunev1.ListNodesRequest{ProjectId: randomPublicID()})
			requireAPIError(t, err, "ListNodes of a missing project", connect.CodeNotFound, codeProjectNotFound, anyMeta)
		})

		t.Run("missing node", func(t *testing.T) {
			p := newProject(t, api)
			id := randomPublicID()
			_, err := api.Nodes.Get(ctxFor(t), &altalunev1.GetNodeRequest{ProjectId: p.PublicID, NodeId: id})
			requireAPIError(t, err, "GetNode", connect.CodeNotFound, codeNodeNotFound, map[string]string{"node_id": id})
			_, err = api.Nodes.Delete(ctxFor(t), &altalunev1.DeleteNodeRequest{ProjectId: p.PublicID, NodeId: id})
			requireAPIError(t, err, "DeleteNode", connect.CodeNotFound, codeNodeNotFound, map[string]string{"node_id": id})
		})
	})
}

// Node's tags are a TEXT[] (filterable by overlap), its triggers a JSONB
// array of NodeTrigger documents and its settings a nullable JSONB
// document (google.protobuf.Struct).

func settings(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNodeArraysAndDocuments(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("tags, triggers and settings round trip through create, get, query and list", func(t *testing.T) {
			p := newProject(t, api)
			req := newNodeRequest(p.PublicID)
			req.Tags = []string{"faq", "Greeting", "with space", `quote"comma,brace}`}
			req.Triggers = []*altalunev1.NodeTrigger{
				{Kind: "keyword", Pattern: "hello"},
				{Kind: "regex", Pattern: `^hi\b`},
			}
			req.Settings = settings(t, map[string]any{
				"delay_ms": 250.0,
				"channels": []any{"web", "whatsapp"},
				"nested":   map[string]any{"enabled": true, "note": nil},
			})
			created := createNode(t, api, req)
			requireStrings(t, created.GetTags(), req.Tags, "created tags")
			requireEqual(t, len(created.GetTriggers()), 2, "created triggers")
			requireProtoEqual(t, created.GetTriggers()[1], req.Triggers[1], "created trigger")
			requireProtoEqual(t, created.GetSettings(), req.Settings, "created settings")

			got, err := api.Nodes.Get(ctxFor(t), &altalunev1.GetNodeRequest{ProjectId: p.PublicID, NodeId: created.GetNodeId()})
			requireOK(t, err, "GetNode")
			requireProtoEqual(t, got.GetNode(), created, "the node read back")

			// Stored as the columns say: the array's elements, the documents
			// with their proto field names.
			var tagCount int64
			var kind, delay string
			dbScan(t, "SELECT cardinality(tags), triggers->0->>'kind', settings->>'delay_ms' FROM "+nodesTable+" WHERE public_id = $1",
				[]any{created.GetNodeId()}, &tagCount, &kind, &delay)
			requireEqual(t, tagCount, int64(4), "stored tags")
			requireEqual(t, kind, "keyword", "stored trigger kind")
			requireEqual(t, delay, "250", "stored setting")

			q, err := api.Nodes.Query(ctxFor(t), &altalunev1.QueryNodesRequest{ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{}})
			requireOK(t, err, "QueryNodes")
			requireEqual(t, len(q.GetData()), 1, "queried nodes")
			requireProtoEqual(t, q.GetData()[0], created, "the node queried")
			list, err := api.Nodes.List(ctxFor(t), &altalunev1.ListNodesRequest{ProjectId: p.PublicID})
			requireOK(t, err, "ListNodes")
			requireProtoEqual(t, list.GetNodes()[0], created, "the node listed")
		})

		t.Run("NULL and empty stay apart: nil settings, empty settings, no tags, no triggers", func(t *testing.T) {
			p := newProject(t, api)
			bare := createNode(t, api, newNodeRequest(p.PublicID))
			if bare.Settings != nil {
				t.Fatalf("settings of a node created without them = %v, want nil", bare.Settings)
			}
			requireEqual(t, len(bare.GetTags()), 0, "tags of a node created without them")
			requireEqual(t, len(bare.GetTriggers()), 0, "triggers of a node created without them")
			var settingsNull bool
			var tags, triggers string
			dbScan(t, "SELECT settings IS NULL, tags::TEXT, triggers::TEXT FROM "+nodesTable+" WHERE public_id = $1",
				[]any{bare.GetNodeId()}, &settingsNull, &tags, &triggers)
			requireEqual(t, settingsNull, true, "settings IS NULL")
			requireEqual(t, tags, "{}", "stored tags")
			requireEqual(t, triggers, "[]", "stored triggers")

			req := newNodeRequest(p.PublicID)
			req.Settings = &structpb.Struct{}
			empty := createNode(t, api, req)
			if empty.Settings == nil || len(empty.Settings.GetFields()) != 0 {
				t.Fatalf("settings of a node created with empty settings = %v, want an empty Struct", empty.Settings)
			}
			var stored string
			dbScan(t, "SELECT settings::TEXT FROM "+nodesTable+" WHERE public_id = $1", []any{empty.GetNodeId()}, &stored)
			requireEqual(t, stored, "{}", "stored empty settings")
			got, err := api.Nodes.Get(ctxFor(t), &altalunev1.GetNodeRequest{ProjectId: p.PublicID, NodeId: empty.GetNodeId()})
			requireOK(t, err, "GetNode")
			if got.GetNode().Settings == nil {
				t.Fatal("empty settings read back as nil")
			}

			// A full update without settings clears them back to NULL.
			upd, err := api.Nodes.Update(ctxFor(t), &altalunev1.UpdateNodeRequest{ProjectId: p.PublicID, NodeId: empty.GetNodeId(),
				Name: empty.GetName(), Lang: empty.GetLang(), Reply: empty.GetReply()})
			requireOK(t, err, "UpdateNode without settings")
			if upd.GetNode().Settings != nil {
				t.Fatalf("settings after an update without them = %v, want nil", upd.GetNode().Settings)
			}
		})

		t.Run("QueryNodes filters tags by overlap and lists them in the catalog", func(t *testing.T) {
			p := newProject(t, api)
			mk := func(tags ...string) *altalunev1.Node {
				req := newNodeRequest(p.PublicID)
				req.Tags = tags
				return createNode(t, api, req)
			}
			faq := mk("faq", "billing")
			greet := mk("greeting")
			both := mk("greeting", "faq")
			mk()
			other := newProject(t, api)
			otherReq := newNodeRequest(other.PublicID)
			otherReq.Tags = []string{"faq", "elsewhere"}
			createNode(t, api, otherReq)

			query := func(values ...string) []string {
				t.Helper()
				res, err := api.Nodes.Query(ctxFor(t), &altalunev1.QueryNodesRequest{ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{
					Filters: map[string]*altalunev1.StringList{"tags": {Values: values}},
				}})
				requireOK(t, err, "QueryNodes filtered by tags")
				requireSameSet(t, catalog(res.GetMeta())["tags"], []string{"billing", "faq", "greeting"}, "tags catalog")
				var got []string
				for _, n := range res.GetData() {
					got = append(got, n.GetNodeId())
				}
				return got
			}
			requireSameSet(t, query("faq"), []string{faq.GetNodeId(), both.GetNodeId()}, "nodes tagged faq")
			requireSameSet(t, query("billing", "greeting"), []string{faq.GetNodeId(), greet.GetNodeId(), both.GetNodeId()}, "nodes tagged billing or greeting")
			requireSameSet(t, query("FAQ"), nil, "tags match as stored")
			requireSameSet(t, query("elsewhere"), nil, "another project's tags")

			// Arrays and documents are not sort fields.
			for _, field := range []string{"tags", "triggers", "settings"} {
				_, err := api.Nodes.Query(ctxFor(t), &altalunev1.QueryNodesRequest{ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{
					Sorting: &altalunev1.Sorting{Field: field},
				}})
				requireInvalidPayload(t, err, "QueryNodes sorted by "+field)
			}
			_, err := api.Nodes.Query(ctxFor(t), &altalunev1.QueryNodesRequest{ProjectId: p.PublicID, Query: &altalunev1.QueryRequest{
				Filters: map[string]*altalunev1.StringList{"settings": {Values: []string{"{}"}}},
			}})
			requireInvalidPayload(t, err, "QueryNodes filtered by settings")
		})

		t.Run("a document over 1 MiB, or holding what JSON cannot, is an invalid payload", func(t *testing.T) {
			p := newProject(t, api)
			before := countRows(t, nodesTable)
			req := newNodeRequest(p.PublicID)
			req.Settings = settings(t, map[string]any{"blob": strings.Repeat("x", 1<<20)})
			_, err := api.Nodes.Create(ctxFor(t), req)
			requireInvalidPayload(t, err, "CreateNode with settings over 1 MiB")

			if api.Protocol == "grpc" {
				// Connect's JSON cannot even carry an infinite number; the
				// binary protocol can, and the server refuses it.
				req = newNodeRequest(p.PublicID)
				req.Settings = &structpb.Struct{Fields: map[string]*structpb.Value{"n": structpb.NewNumberValue(math.Inf(1))}}
				_, err = api.Nodes.Create(ctxFor(t), req)
				requireInvalidPayload(t, err, "CreateNode with an infinite number in settings")
			}
			requireRowCount(t, nodesTable, before)

			// The bound is per column: a document just under it is stored,
			// one just over it refused.
			node := createNode(t, api, newNodeRequest(p.PublicID))
			under := settings(t, map[string]any{"blob": strings.Repeat("y", 1<<20-20)})
			_, err = api.Nodes.Update(ctxFor(t), &altalunev1.UpdateNodeRequest{ProjectId: p.PublicID, NodeId: node.GetNodeId(),
				Settings: under, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"settings"}}})
			requireOK(t, err, "UpdateNode with settings just under 1 MiB")
			_, err = api.Nodes.Update(ctxFor(t), &altalunev1.UpdateNodeRequest{ProjectId: p.PublicID, NodeId: node.GetNodeId(),
				Name: node.GetName(), Lang: node.GetLang(), Settings: settings(t, map[string]any{"blob": strings.Repeat("y", 1<<20-10)})})
			requireInvalidPayload(t, err, "UpdateNode with settings over 1 MiB")
			got, err := api.Nodes.Get(ctxFor(t), &altalunev1.GetNodeRequest{ProjectId: p.PublicID, NodeId: node.GetNodeId()})
			requireOK(t, err, "GetNode")
			requireProtoEqual(t, got.GetNode().GetSettings(), under, "the settings after the refused update")

			// The request's own rules bound the lists: at most 20 tags of
			// 1 to 40 characters, at most 50 triggers of a known kind.
			for name, bad := range map[string]func(*altalunev1.CreateNodeRequest){
				"21 tags":         func(r *altalunev1.CreateNodeRequest) { r.Tags = make([]string, 21) },
				"an empty tag":    func(r *altalunev1.CreateNodeRequest) { r.Tags = []string{""} },
				"a 41-letter tag": func(r *altalunev1.CreateNodeRequest) { r.Tags = []string{strings.Repeat("t", 41)} },
				"an unknown kind": func(r *altalunev1.CreateNodeRequest) {
					r.Triggers = []*altalunev1.NodeTrigger{{Kind: "x", Pattern: "p"}}
				},
				"a NUL in a tag":   func(r *altalunev1.CreateNodeRequest) { r.Tags = []string{"a\x00b"} },
				"a NUL in a value": func(r *altalunev1.CreateNodeRequest) { r.Settings = settings(t, map[string]any{"k": "a\x00b"}) },
			} {
				req := newNodeRequest(p.PublicID)
				bad(req)
				_, err := api.Nodes.Create(ctxFor(t), req)
				requireInvalidPayload(t, err, "CreateNode with "+name)
			}
		})

		t.Run("a FieldMask update writes only the arrays and documents it lists", func(t *testing.T) {
			p := newProject(t, api)
			req := newNodeRequest(p.PublicID)
			req.Tags = []string{"a", "b"}
			req.Triggers = []*altalunev1.NodeTrigger{{Kind: "intent", Pattern: "greet"}}
			req.Settings = settings(t, map[string]any{"tone": "warm"})
			node := createNode(t, api, req)

			// Only the tags: the triggers and settings keep their values.
			upd, err := api.Nodes.Update(ctxFor(t), &altalunev1.UpdateNodeRequest{ProjectId: p.PublicID, NodeId: node.GetNodeId(),
				Tags: []string{"c"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"tags"}}})
			requireOK(t, err, "UpdateNode of the tags")
			requireStrings(t, upd.GetNode().GetTags(), []string{"c"}, "tags")
			requireProtoEqual(t, upd.GetNode().GetSettings(), req.Settings, "settings kept")
			requireEqual(t, len(upd.GetNode().GetTriggers()), 1, "triggers kept")
			requireEqual(t, upd.GetNode().GetName(), node.GetName(), "name kept")

			// Listed but unset: the tags and triggers become empty, the
			// settings NULL.
			upd, err = api.Nodes.Update(ctxFor(t), &altalunev1.UpdateNodeRequest{ProjectId: p.PublicID, NodeId: node.GetNodeId(),
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"tags", "triggers", "settings"}}})
			requireOK(t, err, "UpdateNode clearing the lists and settings")
			requireEqual(t, len(upd.GetNode().GetTags()), 0, "tags cleared")
			requireEqual(t, len(upd.GetNode().GetTriggers()), 0, "triggers cleared")
			if upd.GetNode().Settings != nil {
				t.Fatalf("settings = %v, want nil", upd.GetNode().Settings)
			}
			var null bool
			dbScan(t, "SELECT settings IS NULL FROM "+nodesTable+" WHERE public_id = $1", []any{node.GetNodeId()}, &null)
			requireEqual(t, null, true, "settings IS NULL")

			// Only the settings, set to an empty document.
			upd, err = api.Nodes.Update(ctxFor(t), &altalunev1.UpdateNodeRequest{ProjectId: p.PublicID, NodeId: node.GetNodeId(),
				Settings: &structpb.Struct{}, Tags: []string{"ignored"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"settings"}}})
			requireOK(t, err, "UpdateNode of the settings")
			if upd.GetNode().Settings == nil {
				t.Fatal("empty settings read back as nil")
			}
			requireEqual(t, len(upd.GetNode().GetTags()), 0, "tags not listed, kept")
		})
	})
}
