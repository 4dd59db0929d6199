// Package logtest helps tests read what code under test logged.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer is a log destination that is safe for concurrent writers and for
// a test reading it meanwhile. The zero value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
