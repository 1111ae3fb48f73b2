// Package nanoid generates the public IDs entities are exposed by.
package nanoid

import (
	"crypto/rand"
	"fmt"
	"math/bits"
)

// Alphabet is the set of characters public IDs are made of: digits and
// lower-case letters without the look-alikes 0, 1, i and o.
const Alphabet = "23456789abcdefghjklmnpqrstuvwxyz"

// PublicIDLength is the length of every public ID.
const PublicIDLength = 14

// GeneratePublicID returns a new random public ID of PublicIDLength
// characters from Alphabet.
func GeneratePublicID() (string, error) {
	return generate(Alphabet, PublicIDLength)
}

// generate returns size characters drawn uniformly from alphabet (at most
// 256 characters) using crypto/rand. Each random byte is masked to the
// smallest power of two covering the alphabet and rejected when it falls
// outside it, so no character is more likely than another.
func generate(alphabet string, size int) (string, error) {
	mask := byte(1<<bits.Len(uint(len(alphabet)-1)) - 1)
	id := make([]byte, 0, size)
	buf := make([]byte, size+size/2)
	for {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("read random bytes: %w", err)
		}
		for _, b := range buf {
			if i := int(b & mask); i < len(alphabet) {
				id = append(id, alphabet[i])
				if len(id) == size {
					return string(id), nil
				}
			}
		}
	}
}
