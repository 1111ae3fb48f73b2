//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

const (
	codeAPIKeyNotFound      = "60601"
	codeAPIKeyExists        = "60602"
	codeAPIKeyUnknownSecret = "60603"
	codeAPIKeyLimitReached  = "60604"
	maxActiveAPIKeys        = 25
)

// apiKeySecret is the shape of a generated secret: the prefix and 256 bits
// of unpadded base64url.
var apiKeySecret = regexp.MustCompile(`^ak_[A-Za-z0-9_-]{43}$`)

func newAPIKeyRequest(projectID string) *altalunev1.CreateApiKeyRequest {
	return &altalunev1.CreateApiKeyRequest{
		ProjectId:  projectID,
		Name:       uniq("Key "),
		Expiration: timestamppb.New(time.Now().Add(30 * 24 * time.Hour).Truncate(time.Microsecond)),
		Active:     true,
	}
}

// inactiveAPIKeyRequest is a key that the project's limit of active keys
// does not count, for tests that create many in one project.
func inactiveAPIKeyRequest(projectID string) *altalunev1.CreateApiKeyRequest {
	req := newAPIKeyRequest(projectID)
	req.Active = false
	return req
}

// createAPIKey creates a key and returns it with the secret its create
// answered.
func createAPIKey(t *testing.T, api *API, req *altalunev1.CreateApiKeyRequest) (*altalunev1.ApiKey, string) {
	t.Helper()
	res, err := api.APIKeys.Create(ctxFor(t), req)
	requireOK(t, err, "CreateApiKey")
	requireMessage(t, res.GetMessage(), "API key created successfully")
	if !apiKeySecret.MatchString(res.GetKeyValue()) {
		t.Fatalf("CreateApiKey key_value = %q, want ak_ and 43 base64url characters", res.GetKeyValue())
	}
	// key_prefix is filled by the hand-written FillCreateApiKey.
	requireEqual(t, res.GetKeyPrefix(), res.GetKeyValue()[:7], "key_prefix")
	return res.GetApiKey(), res.GetKeyValue()
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// apiKeyHash is the key_hash column of a key.
func apiKeyHash(t *testing.T, projectID int64, publicID string) string {
	t.Helper()
	var hash string
	dbScan(t, "SELECT key_hash FROM altalune_api_keys WHERE project_id = $1 AND public_id = $2",
		[]any{projectID, publicID}, &hash)
	return hash
}

// requireNoSecret fails when an answer carries the secret or its hash, in
// its binary or JSON form.
func requireNoSecret(t *testing.T, m proto.Message, secret, what string) {
	t.Helper()
	wire, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	text := string(wire) + protojson.Format(m)
	for _, s := range []string{secret, strings.TrimPrefix(secret, "ak_"), sha256Hex(secret)} {
		if strings.Contains(text, s) {
			t.Fatalf("%s carries the secret (or its hash): %s", what, protojson.Format(m))
		}
	}
}

func TestAPIKeys(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, api *API) {
		t.Run("the secret is returned once and stored hashed", func(t *testing.T) {
			p := newProject(t, api)
			req := newAPIKeyRequest(p.PublicID)
			k, secret := createAPIKey(t, api, req)
			requireEqual(t, k.GetName(), req.GetName(), "name")
			requireEqual(t, k.GetActive(), true, "active")
			requireProtoEqual(t, k.GetExpiration(), req.GetExpiration(), "expiration")
			requireNoSecret(t, k, secret, "the created ApiKey")

			// Stored: its SHA-256 hex, and the plaintext nowhere in the row.
			requireEqual(t, apiKeyHash(t, p.ID, k.GetId()), sha256Hex(secret), "key_hash")
			row := dbStrings(t, "SELECT t::text FROM altalune_api_keys t WHERE project_id = $1 AND public_id = $2", p.ID, k.GetId())
			if len(row) != 1 || strings.Contains(row[0], secret) || strings.Contains(row[0], strings.TrimPrefix(secret, "ak_")) {
				t.Fatalf("the row holds the plaintext secret: %v", row)
			}

			// Never again: Get, Query and Update answer without it.
			got, err := api.APIKeys.Get(ctxFor(t), &altalunev1.GetApiKeyRequest{ProjectId: p.PublicID, ApiKeyId: k.GetId()})
			requireOK(t, err, "GetApiKey")
			requireProtoEqual(t, got.GetApiKey(), k, "GetApiKey")
			requireNoSecret(t, got, secret, "GetApiKey's answer")
			list, err := api.APIKeys.Query(ctxFor(t), &altalunev1.QueryApiKeysRequest{ProjectId: p.PublicID})
			requireOK(t, err, "QueryApiKeys")
			requireStrings(t, ids(list.GetData()), []string{k.GetId()}, "QueryApiKeys ids")
			requireNoSecret(t, list, secret, "QueryApiKeys' answer")
			upd, err := api.APIKeys.Update(ctxFor(t), &altalunev1.UpdateApiKeyRequest{ProjectId: p.PublicID,
				ApiKeyId: k.GetId(), Name: "Renamed " + runTag, Expiration: k.GetExpiration(), Active: false})
			requireOK(t, err, "UpdateApiKey")
			requireNoSecret(t, upd, secret, "UpdateApiKey's answer")
			requireEqual(t, apiKeyHash(t, p.ID, k.GetId()), sha256Hex(secret), "key_hash after an update")
		})

		t.Run("every secret is unique", func(t *testing.T) {
			p := newProject(t, api)
			seen := map[string]bool{}
			for range 20 {
				k, secret := createAPIKey(t, api, newAPIKeyRequest(p.PublicID))
				if seen[secret] {
					t.Fatalf("secret %q returned twice", secret)
				}
				seen[secret] = true
				requireEqual(t, apiKeyHash(t, p.ID, k.GetId()), sha256Hex(secret), "key_hash")
			}
			hashes := dbStrings(t, "SELECT DISTINCT key_hash FROM altalune_api_keys WHERE project_id = $1", p.ID)
			requireEqual(t, len(hashes), len(seen), "distinct stored hashes")
		})

		t.Run("a taken key_hash is an already-exists error", func(t *testing.T) {
			// The server draws 256 random bits per secret, so a collision is
			// forced: a trigger gives the keys named `name` one fixed hash.
			p := newProject(t, api)
			name := uniq("Collide ")
			fn := "e2e_collide_" + strings.ToLower(runTag) + fmt.Sprint(next())
			dbExec(t, fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					IF NEW.name = '%s' THEN NEW.key_hash := repeat('0', 64); END IF;
					RETURN NEW;
				END $$`, fn, name))
			dbExec(t, fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON altalune_api_keys FOR EACH ROW EXECUTE FUNCTION %s()", fn, fn))
			defer func() { // while the test's context lives
				dbExec(t, fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON altalune_api_keys", fn))
				dbExec(t, fmt.Sprintf("DROP FUNCTION IF EXISTS %s()", fn))
			}()
			req := newAPIKeyRequest(p.PublicID)
			req.Name = name
			createAPIKey(t, api, req)
			before := countRows(t, apiKeysTable)
			_, err := api.APIKeys.Create(ctxFor(t), req)
			requireAPIError(t, err, "CreateApiKey colliding on key_hash", connect.CodeAlreadyExists, codeAPIKeyExists,
				map[string]string{"column": "key_hash"})
			requireRowCount(t, apiKeysTable, before)
		})

		t.Run("the after hooks refuse a key beyond the limit, and the refusal rolls the write back", func(t *testing.T) {
			p := newProject(t, api)
			limit := map[string]string{"limit": fmt.Sprint(maxActiveAPIKeys)}
			for range maxActiveAPIKeys {
				createAPIKey(t, api, newAPIKeyRequest(p.PublicID))
			}
			activeKeys := func() int64 {
				return dbCount(t, "SELECT COUNT(*) FROM altalune_api_keys WHERE project_id = $1 AND active", p.ID)
			}
			keys := func() int64 {
				return dbCount(t, "SELECT COUNT(*) FROM altalune_api_keys WHERE project_id = $1", p.ID)
			}
			over := newAPIKeyRequest(p.PublicID)
			_, err := api.APIKeys.Create(ctxFor(t), over)
			requireAPIError(t, err, "CreateApiKey beyond the limit", connect.CodeFailedPrecondition, codeAPIKeyLimitReached, limit)
			requireEqual(t, keys(), int64(maxActiveAPIKeys), "keys after the refused create (the insert rolled back)")
			requireEqual(t, dbCount(t, "SELECT COUNT(*) FROM altalune_api_keys WHERE project_id = $1 AND name = $2", p.ID, over.GetName()),
				int64(0), "rows of the refused key")

			// An inactive key is not counted; making it active is refused by
			// AfterUpdate, and the update rolled back.
			inactive := newAPIKeyRequest(p.PublicID)
			inactive.Active = false
			k, _ := createAPIKey(t, api, inactive)
			_, err = api.APIKeys.Update(ctxFor(t), &altalunev1.UpdateApiKeyRequest{ProjectId: p.PublicID, ApiKeyId: k.GetId(),
				Name: "Activated " + runTag, Expiration: k.GetExpiration(), Active: true})
			requireAPIError(t, err, "UpdateApiKey activating beyond the limit", connect.CodeFailedPrecondition, codeAPIKeyLimitReached, limit)
			got, err := api.APIKeys.Get(ctxFor(t), &altalunev1.GetApiKeyRequest{ProjectId: p.PublicID, ApiKeyId: k.GetId()})
			requireOK(t, err, "GetApiKey")
			requireProtoEqual(t, got.GetApiKey(), k, "the key after the refused update")
			requireEqual(t, activeKeys(), int64(maxActiveAPIKeys), "active keys")
		})

		t.Run("concurrent creates cannot pass the limit together", func(t *testing.T) {
			// The hook's count runs in the create's transaction under the
			// project's lock: of concurrent creates for the last place, one
			// wins.
			p := newProject(t, api)
			for range maxActiveAPIKeys - 1 {
				createAPIKey(t, api, newAPIKeyRequest(p.PublicID))
			}
			const racers = 6
			errs := make(chan error, racers)
			for range racers {
				go func() {
					_, err := api.APIKeys.Create(ctxFor(t), newAPIKeyRequest(p.PublicID))
					errs <- err
				}()
			}
			won := 0
			for range racers {
				err := <-errs
				if err == nil {
					won++
					continue
				}
				requireAPIError(t, err, "a racing CreateApiKey", connect.CodeFailedPrecondition, codeAPIKeyLimitReached, anyMeta)
			}
			requireEqual(t, won, 1, "racing creates that succeeded")
			requireEqual(t, dbCount(t, "SELECT COUNT(*) FROM altalune_api_keys WHERE project_id = $1", p.ID),
				int64(maxActiveAPIKeys), "keys after the race")
		})

		t.Run("the secret finds its key, and nothing else does", func(t *testing.T) {
			p := newProject(t, api)
			other := newProject(t, api)
			k, secret := createAPIKey(t, api, newAPIKeyRequest(p.PublicID))
			createAPIKey(t, api, newAPIKeyRequest(p.PublicID))
			_, otherSecret := createAPIKey(t, api, newAPIKeyRequest(other.PublicID))

			res, err := api.APIKeys.Verify(ctxFor(t), &altalunev1.VerifyApiKeyRequest{ProjectId: p.PublicID, Key: secret})
			requireOK(t, err, "VerifyApiKey")
			requireProtoEqual(t, res.GetApiKey(), k, "VerifyApiKey's key")
			requireNoSecret(t, res, secret, "VerifyApiKey's answer")

			for what, key := range map[string]string{
				"the hash itself":               sha256Hex(secret),
				"the secret without its prefix": strings.TrimPrefix(secret, "ak_"),
				"the secret in upper case":      strings.ToUpper(secret),
				"another project's secret":      otherSecret,
				"a secret never issued":         "ak_" + strings.Repeat("A", 43),
			} {
				_, err := api.APIKeys.Verify(ctxFor(t), &altalunev1.VerifyApiKeyRequest{ProjectId: p.PublicID, Key: key})
				requireAPIError(t, err, "VerifyApiKey with "+what, connect.CodeNotFound, codeAPIKeyUnknownSecret, anyMeta)
			}
			_, err = api.APIKeys.Verify(ctxFor(t), &altalunev1.VerifyApiKeyRequest{ProjectId: p.PublicID, Key: ""})
			requireInvalidPayload(t, err, "VerifyApiKey without a key")

			_, err = api.APIKeys.Delete(ctxFor(t), &altalunev1.DeleteApiKeyRequest{ProjectId: p.PublicID, ApiKeyId: k.GetId()})
			requireOK(t, err, "DeleteApiKey")
			_, err = api.APIKeys.Verify(ctxFor(t), &altalunev1.VerifyApiKeyRequest{ProjectId: p.PublicID, Key: secret})
			requireAPIError(t, err, "VerifyApiKey of a deleted key", connect.CodeNotFound, codeAPIKeyUnknownSecret, anyMeta)
			_, err = api.APIKeys.Get(ctxFor(t), &altalunev1.GetApiKeyRequest{ProjectId: p.PublicID, ApiKeyId: k.GetId()})
			requireAPIError(t, err, "GetApiKey of a deleted key", connect.CodeNotFound, codeAPIKeyNotFound, anyMeta)
		})
	})
}
