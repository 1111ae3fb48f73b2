//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"

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
