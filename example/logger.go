package altalune

import (
	"context"
	"io"
	"log/slog"
)

// Logger is the structured logger used across the backend. Arguments after
// the message are key/value pairs, as with log/slog.
type Logger interface {
	Debug(msg string, args ...any)
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)

	DebugContext(ctx context.Context, msg string, args ...any)
	InfoContext(ctx context.Context, msg string, args ...any)
	WarnContext(ctx context.Context, msg string, args ...any)
	ErrorContext(ctx context.Context, msg string, args ...any)

	// JSON returns a logger that writes the same records, to the same
	// destination and at the same level, as JSON objects.
	JSON() Logger
}

// slogLogger implements Logger on top of log/slog.
type slogLogger struct {
	*slog.Logger

	w     io.Writer
	level slog.Leveler
}

// NewLogger returns a Logger writing human-readable key=value lines to w,
// dropping records below level.
func NewLogger(w io.Writer, level slog.Leveler) Logger {
	return &slogLogger{
		Logger: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})),
		w:      w,
		level:  level,
	}
}

// NewJSONLogger returns a Logger writing one JSON object per record to w,
// dropping records below level.
func NewJSONLogger(w io.Writer, level slog.Leveler) Logger {
	return &slogLogger{
		Logger: slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})),
		w:      w,
		level:  level,
	}
}

// JSON implements Logger.
func (l *slogLogger) JSON() Logger {
	if _, ok := l.Handler().(*slog.JSONHandler); ok {
		return l
	}
	return NewJSONLogger(l.w, l.level)
}
