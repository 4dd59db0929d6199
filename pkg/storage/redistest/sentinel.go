package redistest

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// StartSentinel starts a Redis Sentinel on a free loopback port that
// monitors master under name (quorum 1), for testing clients that find the
// master through Sentinel. Its Addr is the Sentinel's own address.
func StartSentinel(t testing.TB, master *Server, name string) *Server {
	t.Helper()
	s := &Server{
		t:       t,
		bin:     serverBinary(t),
		dir:     t.TempDir(),
		monitor: "sentinel monitor " + name + " 127.0.0.1 " + strconv.Itoa(master.port) + " 1",
	}
	s.boot()
	return s
}

// sentinelConf writes the config file Sentinel requires (it rewrites the
// file with what it learns), once, and returns its path.
func (s *Server) sentinelConf() (string, error) {
	path := filepath.Join(s.dir, "sentinel.conf")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	return path, os.WriteFile(path, []byte(s.monitor+"\n"), 0o600)
}
