// Package authdev provides helpers to create RSA keys, JSON Web Key Sets and
// signed access tokens for local development and tests.
//
// It is never used by the server, which only verifies tokens (see package
// auth); real tokens are issued by the identity provider.
package authdev

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/hrz8/altalune/internal/auth"
)

// KeyBits is the size in bits of the keys made by GenerateKey.
const KeyBits = 2048

// pemTypePKCS8 and pemTypePKCS1 are the PEM block types of PKCS #8 and
// PKCS #1 private keys.
const (
	pemTypePKCS8 = "PRIVATE KEY"
	pemTypePKCS1 = "RSA PRIVATE KEY"
)

// GenerateKey returns a new 2048-bit RSA private key.
func GenerateKey() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("authdev: generate RSA key: %w", err)
	}
	return key, nil
}

// JWKS returns a JSON Web Key Set document holding pub as its only key, an
// RSA signing key ("use": "sig", "alg": "RS256") with key ID kid.
func JWKS(pub *rsa.PublicKey, kid string) ([]byte, error) {
	if pub == nil {
		return nil, errors.New("authdev: JWKS: nil public key")
	}
	if kid == "" {
		return nil, errors.New("authdev: JWKS: empty key ID")
	}
	jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{
			ALG: jwkset.AlgRS256,
			KID: kid,
			USE: jwkset.UseSig,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("authdev: JWKS: %w", err)
	}
	doc, err := json.MarshalIndent(jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{jwk.Marshal()}}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("authdev: JWKS: %w", err)
	}
	return append(doc, '\n'), nil
}

// Sign returns claims as a compact JWS signed with key using RS256, with kid
// in its "kid" header. Sign does not check the claims: it can make expired
// or otherwise invalid tokens on purpose.
func Sign(key *rsa.PrivateKey, kid string, claims auth.Claims) (string, error) {
	if key == nil {
		return "", errors.New("authdev: sign: nil private key")
	}
	if kid == "" {
		return "", errors.New("authdev: sign: empty key ID")
	}
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	token.Header["kid"] = kid
	signed, err := token.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("authdev: sign: %w", err)
	}
	return signed, nil
}

// WritePrivateKey writes key to the file at path as a PKCS #8 PEM block
// ("PRIVATE KEY"). The file is created, or truncated, with mode 0600.
func WritePrivateKey(path string, key *rsa.PrivateKey) error {
	if key == nil {
		return errors.New("authdev: write private key: nil key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("authdev: write private key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: pemTypePKCS8, Bytes: der})

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("authdev: write private key: %w", err)
	}
	// The mode given to OpenFile applies only to a new file: tighten the
	// permissions of an existing one before writing the key into it.
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return fmt.Errorf("authdev: write private key: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("authdev: write private key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("authdev: write private key: %w", err)
	}
	return nil
}

// ReadPrivateKey reads an RSA private key from the PEM file at path. Both
// PKCS #8 ("PRIVATE KEY", as written by WritePrivateKey) and PKCS #1
// ("RSA PRIVATE KEY") blocks are accepted.
func ReadPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authdev: read private key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("authdev: read private key: %s: no PEM data", path)
	}
	switch block.Type {
	case pemTypePKCS8:
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("authdev: read private key: %s: %w", path, err)
		}
		key, ok := parsed.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("authdev: read private key: %s: not an RSA key (%T)", path, parsed)
		}
		return key, nil
	case pemTypePKCS1:
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("authdev: read private key: %s: %w", path, err)
		}
		return key, nil
	default:
		return nil, fmt.Errorf("authdev: read private key: %s: unexpected PEM block %q", path, block.Type)
	}
}
