//go:build e2e

package e2e

import (
	"crypto/rsa"
	"fmt"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hrz8/altalune/internal/auth"
	"github.com/hrz8/altalune/internal/auth/authdev"
)

// signingKeyID names the test's key in the server's JWKS.
const signingKeyID = "e2e"

// signingKey signs the tokens of the run; the server trusts its public half.
var signingKey *rsa.PrivateKey

// setUpTokenKeys makes the run's signing key and writes the JWKS file the
// server reads; it returns the file's path.
func setUpTokenKeys() (string, error) {
	key, err := authdev.GenerateKey()
	if err != nil {
		return "", err
	}
	signingKey = key
	jwks, err := authdev.JWKS(&key.PublicKey, signingKeyID)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "altalune-e2e-jwks-*.json")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(jwks); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// token signs a token for user with the permissions and project
// memberships (project public ID -> role), valid for an hour.
func token(user string, perms []string, memberships map[string]string) string {
	return tokenWith(signingKey, auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   user,
			IssuedAt:  jwt.NewNumericDate(time.Now()),
			ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)),
		},
		Email:       user + "@e2e.test",
		Perms:       perms,
		Memberships: memberships,
	})
}

// tokenWith signs claims with key.
func tokenWith(key *rsa.PrivateKey, claims auth.Claims) string {
	t, err := authdev.Sign(key, signingKeyID, claims)
	if err != nil {
		panic(fmt.Sprintf("sign token: %v", err))
	}
	return t
}

// rootToken is the token of a caller holding the root permission, which
// bypasses every check: the API the scenarios use by default.
func rootToken() string {
	return token("e2e-root", []string{auth.RootPermission}, nil)
}
