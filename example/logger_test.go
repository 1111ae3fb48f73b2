package altalune

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, slog.LevelInfo)

	log.Debug("dropped")
	log.Info("project created", "project_id", "abcdefghjk2345")
	out := buf.String()
	if strings.Contains(out, "dropped") {
		t.Errorf("debug record written at info level: %q", out)
	}
	if !strings.Contains(out, "level=INFO") || !strings.Contains(out, `msg="project created"`) || !strings.Contains(out, "project_id=abcdefghjk2345") {
		t.Errorf("unexpected text record: %q", out)
	}

	buf.Reset()
	log.JSON().Warn("slow query", "ms", 1200)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("JSON() record is not JSON: %v: %q", err, buf.String())
	}
	if rec["level"] != "WARN" || rec["msg"] != "slow query" || rec["ms"] != float64(1200) {
		t.Errorf("unexpected JSON record: %v", rec)
	}

	buf.Reset()
	log.JSON().Debug("dropped")
	if buf.Len() != 0 {
		t.Errorf("JSON() logger ignores the level: %q", buf.String())
	}
}
