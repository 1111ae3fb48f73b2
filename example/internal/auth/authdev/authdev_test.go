package authdev_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hrz8/altalune/internal/auth"
	"github.com/hrz8/altalune/internal/auth/authdev"
)

func TestSignedTokenValidates(t *testing.T) {
	key, err := authdev.GenerateKey()
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	if got := key.N.BitLen(); got != authdev.KeyBits {
		t.Errorf("key size = %d bits, want %d", got, authdev.KeyBits)
	}
	jwks, err := authdev.JWKS(&key.PublicKey, "local")
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	v, err := auth.NewJWTValidator(jwks, auth.ValidatorOptions{Issuer: "dev", Audience: "altalune"})
	if err != nil {
		t.Fatalf("NewJWTValidator: %v", err)
	}

	token, err := authdev.Sign(key, "local", auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   "user-1",
			Issuer:    "dev",
			Audience:  jwt.ClaimStrings{"altalune"},
			IssuedAt:  jwt.NewNumericDate(time.Now()),
			ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)),
		},
		Email:         "dev@example.com",
		Name:          "Dev",
		Perms:         []string{"employee:read"},
		Memberships:   map[string]string{"p1": "owner"},
		EmailVerified: true,
	})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	got, err := v.Validate(token)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := &auth.AuthContext{
		UserID:          "user-1",
		Email:           "dev@example.com",
		Name:            "Dev",
		Permissions:     []string{"employee:read"},
		Memberships:     map[string]string{"p1": "owner"},
		EmailVerified:   true,
		IsAuthenticated: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate = %+v, want %+v", got, want)
	}
}

func TestJWKSDocument(t *testing.T) {
	key, err := authdev.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	data, err := authdev.JWKS(&key.PublicKey, "kid-1")
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JWKS is not JSON: %v", err)
	}
	if len(doc.Keys) != 1 {
		t.Fatalf("JWKS has %d keys, want 1", len(doc.Keys))
	}
	k := doc.Keys[0]
	for param, want := range map[string]string{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "kid-1", "e": "AQAB"} {
		if k[param] != want {
			t.Errorf("%s = %v, want %q", param, k[param], want)
		}
	}
	if n, _ := k["n"].(string); n == "" {
		t.Error("modulus n missing")
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := k[private]; ok {
			t.Errorf("JWKS leaks private parameter %q", private)
		}
	}
}

func TestInvalidArguments(t *testing.T) {
	key, err := authdev.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authdev.JWKS(nil, "kid"); err == nil {
		t.Error("JWKS(nil key): nil error")
	}
	if _, err := authdev.JWKS(&key.PublicKey, ""); err == nil {
		t.Error("JWKS(empty kid): nil error")
	}
	if _, err := authdev.Sign(nil, "kid", auth.Claims{}); err == nil {
		t.Error("Sign(nil key): nil error")
	}
	if _, err := authdev.Sign(key, "", auth.Claims{}); err == nil {
		t.Error("Sign(empty kid): nil error")
	}
	if err := authdev.WritePrivateKey(filepath.Join(t.TempDir(), "k.pem"), nil); err == nil {
		t.Error("WritePrivateKey(nil key): nil error")
	}
}

func TestPrivateKeyRoundTrip(t *testing.T) {
	key, err := authdev.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")

	// A pre-existing, world-readable file is truncated and tightened.
	if err := os.WriteFile(path, []byte("old content that is longer than nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := authdev.WritePrivateKey(path, key); err != nil {
		t.Fatalf("WritePrivateKey: %v", err)
	}
	if runtime.GOOS != "windows" {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("file mode = %o, want 600", mode)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if block, _ := pem.Decode(data); block == nil || block.Type != "PRIVATE KEY" {
		t.Errorf("file does not hold a PKCS #8 PEM block:\n%s", data)
	}

	got, err := authdev.ReadPrivateKey(path)
	if err != nil {
		t.Fatalf("ReadPrivateKey: %v", err)
	}
	if !got.Equal(key) {
		t.Error("ReadPrivateKey returned a different key")
	}
}

func TestReadPrivateKeyPKCS1(t *testing.T) {
	key, err := authdev.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := authdev.ReadPrivateKey(path)
	if err != nil {
		t.Fatalf("ReadPrivateKey: %v", err)
	}
	if !got.Equal(key) {
		t.Error("ReadPrivateKey returned a different key")
	}
}

func TestReadPrivateKeyErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}

	tests := map[string]string{
		"missing file":    filepath.Join(dir, "missing.pem"),
		"not PEM":         write("text.pem", []byte("hello")),
		"EC key":          write("ec.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})),
		"corrupt PKCS8":   write("corrupt.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")})),
		"corrupt PKCS1":   write("corrupt1.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("junk")})),
		"other PEM block": write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")})),
	}
	for name, path := range tests {
		t.Run(name, func(t *testing.T) {
			if key, err := authdev.ReadPrivateKey(path); err == nil {
				t.Errorf("ReadPrivateKey = %v, want an error", key)
			}
		})
	}
}
