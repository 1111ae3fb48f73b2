package nanoid

import (
	"strings"
	"testing"
)

func TestGeneratePublicIDShape(t *testing.T) {
	for range 1000 {
		id, err := GeneratePublicID()
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != PublicIDLength {
			t.Fatalf("len(%q) = %d, want %d", id, len(id), PublicIDLength)
		}
		for _, r := range id {
			if !strings.ContainsRune(Alphabet, r) {
				t.Fatalf("%q contains %q, which is not in the alphabet", id, r)
			}
		}
	}
}

func TestGeneratePublicIDUnique(t *testing.T) {
	const n = 100_000
	seen := make(map[string]struct{}, n)
	for range n {
		id, err := GeneratePublicID()
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := seen[id]; dup {
			t.Fatalf("duplicate public ID %q after %d IDs", id, len(seen))
		}
		seen[id] = struct{}{}
	}
}

func TestAlphabet(t *testing.T) {
	if len(Alphabet) != 32 {
		t.Fatalf("len(Alphabet) = %d, want 32", len(Alphabet))
	}
	for _, c := range "01io" {
		if strings.ContainsRune(Alphabet, c) {
			t.Errorf("Alphabet contains the look-alike %q", c)
		}
	}
}

// TestGenerateUniform draws from an alphabet whose size is not a power of
// two and checks that every character appears about equally often, which
// a modulo reduction would not achieve.
func TestGenerateUniform(t *testing.T) {
	const (
		alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!" // 63
		draws    = 630_000
	)
	s, err := generate(alphabet, draws)
	if err != nil {
		t.Fatal(err)
	}
	counts := make(map[rune]int, len(alphabet))
	for _, r := range s {
		counts[r]++
	}
	if len(counts) != len(alphabet) {
		t.Fatalf("saw %d distinct characters, want %d", len(counts), len(alphabet))
	}
	want := draws / len(alphabet) // 10000; the standard deviation is about 100
	for r, n := range counts {
		if n < want-600 || n > want+600 {
			t.Errorf("character %q drawn %d times, want about %d", r, n, want)
		}
	}
}
