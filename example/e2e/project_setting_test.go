//go:build e2e

package e2e

import (
	"testing"

	"connectrpc.com/connect"

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
