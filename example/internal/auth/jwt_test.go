package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/hrz8/altalune/internal/auth"
	"github.com/hrz8/altalune/internal/auth/authdev"
)

func TestValidateValidToken(t *testing.T) {
	v := newValidator(t, auth.ValidatorOptions{})
	claims := validClaims()

	got, err := v.Validate(validToken(t, claims))
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := &auth.AuthContext{
		UserID:          "user-123",
		Email:           "ada@example.com",
		Name:            "Ada Lovelace",
		Permissions:     []string{"employee:read", "employee:write"},
		Memberships:     map[string]string{"proj_a": "owner", "proj_b": "viewer"},
		EmailVerified:   true,
		IsAuthenticated: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate = %+v, want %+v", got, want)
	}
}

func TestValidateMinimalToken(t *testing.T) {
	v := newValidator(t, auth.ValidatorOptions{})
	claims := auth.Claims{RegisteredClaims: jwt.RegisteredClaims{
		Subject:   "user-1",
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute)),
	}}

	got, err := v.Validate(validToken(t, claims))
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := &auth.AuthContext{UserID: "user-1", IsAuthenticated: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate = %+v, want %+v", got, want)
	}
}

func TestValidateLeeway(t *testing.T) {
	v := newValidator(t, auth.ValidatorOptions{})
	now := time.Now()
	tests := []struct {
		name   string
		mutate func(*auth.Claims)
	}{
		{"expired within leeway", func(c *auth.Claims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-10 * time.Second)) }},
		{"nbf within leeway", func(c *auth.Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(10 * time.Second)) }},
		{"iat within leeway", func(c *auth.Claims) { c.IssuedAt = jwt.NewNumericDate(now.Add(10 * time.Second)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := validClaims()
			tt.mutate(&claims)
			if _, err := v.Validate(validToken(t, claims)); err != nil {
				t.Errorf("Validate: %v, want success", err)
			}
		})
	}
}

func TestValidateRejectsInvalidTokens(t *testing.T) {
	v := newValidator(t, auth.ValidatorOptions{})
	now := time.Now()

	withClaims := func(mutate func(*auth.Claims)) string {
		claims := validClaims()
		mutate(&claims)
		return validToken(t, claims)
	}

	tests := []struct {
		name    string
		token   string
		wantErr error // checked with errors.Is in addition to ErrInvalidToken
	}{
		{
			name:    "expired",
			token:   withClaims(func(c *auth.Claims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute)) }),
			wantErr: jwt.ErrTokenExpired,
		},
		{
			name:    "not yet valid",
			token:   withClaims(func(c *auth.Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(5 * time.Minute)) }),
			wantErr: jwt.ErrTokenNotValidYet,
		},
		{
			name:    "issued in the future",
			token:   withClaims(func(c *auth.Claims) { c.IssuedAt = jwt.NewNumericDate(now.Add(5 * time.Minute)) }),
			wantErr: jwt.ErrTokenUsedBeforeIssued,
		},
		{
			name:    "missing exp",
			token:   withClaims(func(c *auth.Claims) { c.ExpiresAt = nil }),
			wantErr: jwt.ErrTokenRequiredClaimMissing,
		},
		{
			name:  "missing sub",
			token: withClaims(func(c *auth.Claims) { c.Subject = "" }),
		},
		{
			name:    "signed by another key",
			token:   signRS256(t, otherKey, testKID, validClaims()),
			wantErr: jwt.ErrTokenSignatureInvalid,
		},
		{
			name:    "unknown kid",
			token:   signRS256(t, signingKey, "some-other-kid", validClaims()),
			wantErr: jwt.ErrTokenUnverifiable,
		},
		{
			name:    "missing kid",
			token:   signRS256(t, signingKey, "", validClaims()),
			wantErr: jwt.ErrTokenUnverifiable,
		},
		{
			name:    "HS256 with a shared secret",
			token:   signHS256(t, []byte("a-shared-secret-of-sufficient-length"), validClaims()),
			wantErr: jwt.ErrTokenSignatureInvalid,
		},
		{
			// The classic algorithm confusion attack: HMAC keyed with the
			// (public) RSA key.
			name:    "HS256 keyed with the public key",
			token:   signHS256(t, publicKeyPEM(t), validClaims()),
			wantErr: jwt.ErrTokenSignatureInvalid,
		},
		{
			name:    "alg none",
			token:   signNone(t, validClaims()),
			wantErr: jwt.ErrTokenSignatureInvalid,
		},
		{
			name:    "RS512",
			token:   signWith(t, jwt.SigningMethodRS512, signingKey, validClaims()),
			wantErr: jwt.ErrTokenSignatureInvalid,
		},
		{
			name:    "tampered payload",
			token:   tamperPayload(t, validToken(t, validClaims())),
			wantErr: jwt.ErrTokenSignatureInvalid,
		},
		{
			name:    "malformed",
			token:   "not-a-jwt",
			wantErr: jwt.ErrTokenMalformed,
		},
		{
			name:  "empty",
			token: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Validate(tt.token)
			if err == nil {
				t.Fatalf("Validate = %+v, want an error", got)
			}
			if got != nil {
				t.Errorf("Validate returned %+v along with error %v", got, err)
			}
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("error %v does not wrap ErrInvalidToken", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
		})
	}
}

func TestValidateIssuerAndAudience(t *testing.T) {
	v := newValidator(t, auth.ValidatorOptions{Issuer: "https://id.altalune.test", Audience: "altalune-api"})

	withClaims := func(mutate func(*auth.Claims)) string {
		claims := validClaims()
		mutate(&claims)
		return validToken(t, claims)
	}

	accepted := map[string]string{
		"matching":              withClaims(func(*auth.Claims) {}),
		"audience among others": withClaims(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"other", "altalune-api"} }),
	}
	for name, token := range accepted {
		t.Run("accepts "+name, func(t *testing.T) {
			if _, err := v.Validate(token); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}

	rejected := map[string]struct {
		token   string
		wantErr error
	}{
		"wrong issuer":     {withClaims(func(c *auth.Claims) { c.Issuer = "https://evil.test" }), jwt.ErrTokenInvalidIssuer},
		"missing issuer":   {withClaims(func(c *auth.Claims) { c.Issuer = "" }), jwt.ErrTokenRequiredClaimMissing},
		"wrong audience":   {withClaims(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"other-api"} }), jwt.ErrTokenInvalidAudience},
		"missing audience": {withClaims(func(c *auth.Claims) { c.Audience = nil }), jwt.ErrTokenRequiredClaimMissing},
	}
	for name, tt := range rejected {
		t.Run("rejects "+name, func(t *testing.T) {
			_, err := v.Validate(tt.token)
			if !errors.Is(err, auth.ErrInvalidToken) || !errors.Is(err, tt.wantErr) {
				t.Errorf("Validate error = %v, want ErrInvalidToken and %v", err, tt.wantErr)
			}
		})
	}
}

func TestValidateIgnoresIssuerAndAudienceWhenNotConfigured(t *testing.T) {
	v := newValidator(t, auth.ValidatorOptions{})
	claims := validClaims()
	claims.Issuer = "anyone"
	claims.Audience = jwt.ClaimStrings{"anything"}
	if _, err := v.Validate(validToken(t, claims)); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestNewJWTValidatorSelectsKeyByKID(t *testing.T) {
	jwks := jwksOf(t,
		rsaJWK(t, &signingKey.PublicKey, "k1", jwkset.UseSig, jwkset.AlgRS256),
		rsaJWK(t, &otherKey.PublicKey, "k2", "", ""),
	)
	v, err := auth.NewJWTValidator(jwks, auth.ValidatorOptions{})
	if err != nil {
		t.Fatalf("NewJWTValidator: %v", err)
	}
	if _, err := v.Validate(signRS256(t, signingKey, "k1", validClaims())); err != nil {
		t.Errorf("token of k1: %v", err)
	}
	if _, err := v.Validate(signRS256(t, otherKey, "k2", validClaims())); err != nil {
		t.Errorf("token of k2: %v", err)
	}
	if _, err := v.Validate(signRS256(t, otherKey, "k1", validClaims())); err == nil {
		t.Error("token signed by k2's key but naming k1 was accepted")
	}
}

func TestNewJWTValidatorIgnoresUnusableKeys(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecJWK, err := jwkset.NewJWKFromKey(&ecKey.PublicKey, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: "ec", ALG: jwkset.AlgES256, USE: jwkset.UseSig},
	})
	if err != nil {
		t.Fatal(err)
	}
	jwks := jwksOf(t,
		ecJWK.Marshal(),
		rsaJWK(t, &otherKey.PublicKey, "enc", jwkset.UseEnc, ""),
		rsaJWK(t, &signingKey.PublicKey, testKID, jwkset.UseSig, jwkset.AlgRS256),
	)
	v, err := auth.NewJWTValidator(jwks, auth.ValidatorOptions{})
	if err != nil {
		t.Fatalf("NewJWTValidator: %v", err)
	}
	if _, err := v.Validate(validToken(t, validClaims())); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if _, err := v.Validate(signRS256(t, otherKey, "enc", validClaims())); err == nil {
		t.Error("token naming an encryption key was accepted")
	}
	if _, err := v.Validate(signWith(t, jwt.SigningMethodES256, ecKey, validClaims(), "ec")); err == nil {
		t.Error("ES256 token was accepted")
	}
}

func TestNewJWTValidatorErrors(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecJWK, err := jwkset.NewJWKFromKey(&ecKey.PublicKey, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: "ec"},
	})
	if err != nil {
		t.Fatal(err)
	}
	pub := &signingKey.PublicKey

	tests := map[string][]byte{
		"empty document":      nil,
		"invalid JSON":        []byte("{not json"),
		"no keys":             []byte(`{"keys":[]}`),
		"only an EC key":      jwksOf(t, ecJWK.Marshal()),
		"RSA key without kid": jwksOf(t, rsaJWK(t, pub, "", jwkset.UseSig, jwkset.AlgRS256)),
		"RSA encryption key":  jwksOf(t, rsaJWK(t, pub, "k", jwkset.UseEnc, "")),
		"RSA key for RS512":   jwksOf(t, rsaJWK(t, pub, "k", jwkset.UseSig, jwkset.AlgRS512)),
		"duplicate kid": jwksOf(t,
			rsaJWK(t, pub, "k", jwkset.UseSig, jwkset.AlgRS256),
			rsaJWK(t, &otherKey.PublicKey, "k", jwkset.UseSig, jwkset.AlgRS256),
		),
	}
	for name, jwks := range tests {
		t.Run(name, func(t *testing.T) {
			if v, err := auth.NewJWTValidator(jwks, auth.ValidatorOptions{}); err == nil {
				t.Errorf("NewJWTValidator = %v, want an error", v)
			}
		})
	}
}

func TestNewJWTValidatorFromFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(path, testJWKS(t), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewJWTValidatorFromFile(path, auth.ValidatorOptions{})
	if err != nil {
		t.Fatalf("NewJWTValidatorFromFile: %v", err)
	}
	if _, err := v.Validate(validToken(t, validClaims())); err != nil {
		t.Errorf("Validate: %v", err)
	}

	if _, err := auth.NewJWTValidatorFromFile(filepath.Join(dir, "missing.json"), auth.ValidatorOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error = %v, want one wrapping os.ErrNotExist", err)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"keys":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.NewJWTValidatorFromFile(bad, auth.ValidatorOptions{}); err == nil {
		t.Error("JWKS file without keys: got nil error")
	}
}

func TestValidatorWithAuthdevKeys(t *testing.T) {
	key, err := authdev.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := authdev.JWKS(&key.PublicKey, "local")
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewJWTValidator(jwks, auth.ValidatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	token, err := authdev.Sign(key, "local", validClaims())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Validate(token); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// rsaJWK returns the JWK of pub with the given metadata.
func rsaJWK(t *testing.T, pub any, kid string, use jwkset.USE, alg jwkset.ALG) jwkset.JWKMarshal {
	t.Helper()
	jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: kid, USE: use, ALG: alg},
	})
	if err != nil {
		t.Fatalf("NewJWKFromKey: %v", err)
	}
	return jwk.Marshal()
}

// jwksOf returns a JWKS document holding keys.
func jwksOf(t *testing.T, keys ...jwkset.JWKMarshal) []byte {
	t.Helper()
	data, err := json.Marshal(jwkset.JWKSMarshal{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// signHS256 signs claims with HMAC-SHA256 under secret, naming testKID.
func signHS256(t *testing.T, secret []byte, claims jwt.Claims) string {
	t.Helper()
	return signWith(t, jwt.SigningMethodHS256, secret, claims)
}

// signNone returns an unsigned ("alg": "none") token naming testKID.
func signNone(t *testing.T, claims jwt.Claims) string {
	t.Helper()
	return signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims)
}

// signWith signs claims with method and key; the kid header is testKID
// unless given.
func signWith(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims, kid ...string) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	token.Header["kid"] = testKID
	if len(kid) > 0 {
		token.Header["kid"] = kid[0]
	}
	signed, err := token.SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token: %v", method.Alg(), err)
	}
	return signed
}

// publicKeyPEM returns the PEM encoding of signingKey's public key.
func publicKeyPEM(t *testing.T) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&signingKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// tamperPayload replaces the payload of token with one granting root, keeping
// the original header and signature.
func tamperPayload(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	claims := validClaims()
	claims.Perms = []string{auth.RootPermission}
	forged := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	forgedStr, err := forged.SigningString()
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = strings.Split(forgedStr, ".")[1]
	return strings.Join(parts, ".")
}
