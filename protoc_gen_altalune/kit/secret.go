package domainkit

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
)

// secretBytes is the entropy of a generated secret: 256 bits.
const secretBytes = 32

// secretSource is where secrets take their randomness from.
var secretSource io.Reader = rand.Reader

// NewSecret returns a random secret: prefix and 43 characters of unpadded
// base64url (256 bits). Only its HashSecret is stored; the plaintext is
// shown to the caller once.
func NewSecret(prefix string) (string, error) {
	b := make([]byte, secretBytes)
	if _, err := io.ReadFull(secretSource, b); err != nil {
		return "", fmt.Errorf("generate secret: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret is what the database stores of a secret, and what a lookup
// by the secret compares: its SHA-256, in lower-case hex (64 characters).
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
