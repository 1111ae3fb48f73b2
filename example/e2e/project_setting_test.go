//go:build e2e

package e2e

import (
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// ProjectSetting is a singleton: one row per project, named by the project
// alone and created from the column defaults by its first read or update.

func getSettings(t *testing.T, api *API, projectID string) *altalunev1.ProjectSetting {
	t.Helper()
	res, err := api.Settings.Get(ctxFor(t), &altalunev1.GetProjectSettingRequest{ProjectId: projectID})
	requireOK(t, err, "GetProjectSetting")
	return res.GetProjectSetting()
}

func settingsRows(t *testing.T, projectID int64) int64 {
	t.Helper()
	return dbCount(t, "SELECT COUNT(*) FROM altalune_project_settings WHERE project_id = $1", projectID)
}

func TestProjectSettings(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("the first read creates the project's row from the defaults, later reads find it", func(t *testing.T) {
			p := newProject(t, api)
			requireEqual(t, settingsRows(t, p.ID), int64(0), "rows before the first read")
			first := getSettings(t, api, p.PublicID)
			if first.GetId() == "" || first.GetTimezone() != "" || first.GetMaxUploadMb() != 0 || first.GetNotifyOwner() {
				t.Fatalf("first read = %v, want a row of defaults with an ID", protoText(first))
			}
			requireRecent(t, first.GetCreatedAt(), "created_at")
			requireProtoEqual(t, getSettings(t, api, p.PublicID), first, "the second read")
			requireEqual(t, settingsRows(t, p.ID), int64(1), "rows after two reads")
		})

		t.Run("an update writes the fields it sets and keeps the others", func(t *testing.T) {
			p := newProject(t, api)
			// The first write may be an update: it creates the row first.
			res, err := api.Settings.Update(ctxFor(t), &altalunev1.UpdateProjectSettingRequest{ProjectId: p.PublicID,
				Timezone: ptr("Asia/Jakarta"), MaxUploadMb: ptr(int32(25))})
			requireOK(t, err, "UpdateProjectSetting")
			requireMessage(t, res.GetMessage(), "Project setting updated successfully")
			got := res.GetProjectSetting()
			requireEqual(t, got.GetTimezone(), "Asia/Jakarta", "timezone")
			requireEqual(t, got.GetMaxUploadMb(), int32(25), "max_upload_mb")
			requireEqual(t, settingsRows(t, p.ID), int64(1), "rows after the first update")

			res, err = api.Settings.Update(ctxFor(t), &altalunev1.UpdateProjectSettingRequest{ProjectId: p.PublicID,
				Locale: ptr("id-ID"), NotifyOwner: ptr(true), MaxUploadMb: ptr(int32(0))})
			requireOK(t, err, "UpdateProjectSetting")
			got = res.GetProjectSetting()
			requireEqual(t, got.GetTimezone(), "Asia/Jakarta", "timezone kept")
			requireEqual(t, got.GetLocale(), "id-ID", "locale")
			requireEqual(t, got.GetNotifyOwner(), true, "notify_owner")
			requireEqual(t, got.GetMaxUploadMb(), int32(0), "max_upload_mb set to zero")
			requireProtoEqual(t, getSettings(t, api, p.PublicID), got, "the read after the updates")

			// Another project's settings are its own.
			other := newProject(t, api)
			requireEqual(t, getSettings(t, api, other.PublicID).GetTimezone(), "", "the other project's timezone")
		})

		t.Run("the JSONB document: kept without its field, replaced whole, removed by its clear flag", func(t *testing.T) {
			p := newProject(t, api)
			requireEqual(t, getSettings(t, api, p.PublicID).GetDocument() == nil, true, "document of a new project (NULL)")
			doc, err := structpb.NewStruct(map[string]any{"theme": "dark", "widgets": []any{"inbox", 3.0}, "beta": true})
			if err != nil {
				t.Fatal(err)
			}
			res, err := api.Settings.Update(ctxFor(t), &altalunev1.UpdateProjectSettingRequest{ProjectId: p.PublicID, Document: doc})
			requireOK(t, err, "UpdateProjectSetting with a document")
			requireProtoEqual(t, res.GetProjectSetting().GetDocument(), doc, "document")

			res, err = api.Settings.Update(ctxFor(t), &altalunev1.UpdateProjectSettingRequest{ProjectId: p.PublicID, Locale: ptr("en-GB")})
			requireOK(t, err, "UpdateProjectSetting without the document")
			requireProtoEqual(t, res.GetProjectSetting().GetDocument(), doc, "document kept")

			empty := &structpb.Struct{}
			res, err = api.Settings.Update(ctxFor(t), &altalunev1.UpdateProjectSettingRequest{ProjectId: p.PublicID, Document: empty})
			requireOK(t, err, "UpdateProjectSetting with an empty document")
			if got := res.GetProjectSetting().GetDocument(); got == nil || len(got.GetFields()) != 0 {
				t.Fatalf("document = %v, want an empty document, not NULL", got)
			}

			_, err = api.Settings.Update(ctxFor(t), &altalunev1.UpdateProjectSettingRequest{ProjectId: p.PublicID, Document: doc, ClearDocument: true})
			requireInvalidPayload(t, err, "UpdateProjectSetting setting and clearing the document")
			res, err = api.Settings.Update(ctxFor(t), &altalunev1.UpdateProjectSettingRequest{ProjectId: p.PublicID, ClearDocument: true})
			requireOK(t, err, "UpdateProjectSetting clearing the document")
			if res.GetProjectSetting().GetDocument() != nil {
				t.Fatalf("document = %v after its clear flag, want NULL", res.GetProjectSetting().GetDocument())
			}
			requireEqual(t, dbCount(t, "SELECT COUNT(*) FROM altalune_project_settings WHERE project_id = $1 AND document IS NULL", p.ID),
				int64(1), "rows with a NULL document")
		})

		t.Run("concurrent first reads create one row", func(t *testing.T) {
			p := newProject(t, api)
			const readers = 8
			ids := make(chan string, readers)
			errs := make(chan error, readers)
			for range readers {
				go func() {
					res, err := api.Settings.Get(ctxFor(t), &altalunev1.GetProjectSettingRequest{ProjectId: p.PublicID})
					errs <- err
					ids <- res.GetProjectSetting().GetId()
				}()
			}
			seen := map[string]bool{}
			for range readers {
				requireOK(t, <-errs, "a concurrent GetProjectSetting")
				seen[<-ids] = true
			}
			requireEqual(t, len(seen), 1, "distinct IDs answered")
			requireEqual(t, settingsRows(t, p.ID), int64(1), "rows")
		})

		t.Run("a missing project and an invalid value", func(t *testing.T) {
			_, err := api.Settings.Get(ctxFor(t), &altalunev1.GetProjectSettingRequest{ProjectId: randomPublicID()})
			requireAPIError(t, err, "GetProjectSetting of a missing project", connect.CodeNotFound, codeProjectNotFound, anyMeta)
			p := newProject(t, api)
			_, err = api.Settings.Update(ctxFor(t), &altalunev1.UpdateProjectSettingRequest{ProjectId: p.PublicID, MaxUploadMb: ptr(int32(-1))})
			requireInvalidPayload(t, err, "UpdateProjectSetting with a negative max_upload_mb")
			requireEqual(t, settingsRows(t, p.ID), int64(0), "rows after the refused update")
		})
	})
}
