package onekosmos

import (
	"log/slog"
	"time"
)

// Log attributes. Only the operation, status, duration and error kind are
// logged: never URLs with session ids, headers, bodies or images.

func slogOp(op string) slog.Attr             { return slog.String("op", op) }
func slogStatus(s int) slog.Attr             { return slog.Int("status", s) }
func slogDuration(d time.Duration) slog.Attr { return slog.Duration("duration", d) }

func slogErr(err error) slog.Attr {
	if err == nil {
		return slog.Attr{}
	}
	return slog.String("error", err.Error())
}

func levelFor(err error) slog.Level {
	if err != nil {
		return slog.LevelWarn
	}
	return slog.LevelDebug
}
