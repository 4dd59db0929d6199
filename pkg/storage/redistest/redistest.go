// Package redistest starts real redis-server processes for tests: a
// standalone server on a free loopback port, optionally with AOF
// persistence, that a test can stop, kill and restart in place, and a small
// Redis Cluster.
//
// The binary comes from $IDBRIDGE_REDIS_SERVER or PATH; scripts/test
// installs it when missing. Every server lives in the test's temporary
// directory and is killed when the test ends.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds how long a server may take to answer PING.
const startTimeout = 30 * time.Second

// Option configures a Server.
type Option func(*Server)

// AppendOnly turns on AOF persistence (appendonly yes, fsync every
// second), so written data survives Stop, Kill and Restart.
func AppendOnly() Option {
	return func(s *Server) { s.appendOnly = true }
}

// Args passes extra redis-server arguments, such as "--maxmemory", "1mb".
func Args(args ...string) Option {
	return func(s *Server) { s.extra = append(s.extra, args...) }
}

// Server is a redis-server process owned by one test.
type Server struct {
	t          testing.TB
	bin        string
	dir        string
	port       int
	appendOnly bool
	extra      []string
	monitor    string // Sentinel only: its "sentinel monitor" line

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
}

// Start runs a redis-server on a free 127.0.0.1 port with its own data
// directory, waits until it answers PING, and registers its killing with
// t.Cleanup. Snapshots are off ("--save ”"); AOF is off unless AppendOnly
// is given.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, bin: serverBinary(t), dir: t.TempDir()}
	for _, o := range opts {
		o(s)
	}
	s.boot()
	return s
}

// boot registers the cleanup and launches s on a free port.
func (s *Server) boot() {
	s.t.Helper()
	s.t.Cleanup(s.Kill)
	var err error
	// A port found free may be taken before the server binds it; try anew.
	for range 5 {
		s.port = freePort(s.t)
		if err = s.launch(); err == nil {
			return
		}
	}
	s.t.Fatalf("redistest: starting redis-server: %v", err)
}

// Addr is the server's "127.0.0.1:port".
func (s *Server) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// Dir is the server's data directory (AOF files, cluster config, log).
func (s *Server) Dir() string { return s.dir }

// Stop shuts the server down gracefully (SIGTERM, which flushes the AOF)
// and waits for it to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill ends the server at once (SIGKILL), as a crash would. Killing a
// stopped server does nothing.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

// Pause freezes the server (SIGSTOP): connections stay open but nothing
// answers, as with a hung host. Resume undoes it.
func (s *Server) Pause() { s.send(syscall.SIGSTOP) }

// Resume lets a paused server run again (SIGCONT).
func (s *Server) Resume() { s.send(syscall.SIGCONT) }

func (s *Server) send(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

// Restart starts a stopped server again on the same port and directory, so
// it reloads its AOF. It stops a running server first.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.launch(); err != nil {
		s.t.Fatalf("redistest: restarting redis-server on %s: %v", s.Addr(), err)
	}
}

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// launch starts the process and waits until it answers PING.
func (s *Server) launch() error {
	yesNo := map[bool]string{true: "yes", false: "no"}
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--protected-mode", "no",
		"--daemonize", "no",
		"--logfile", "redis.log",
	}
	if s.monitor == "" {
		args = append(args, "--save", "", "--appendonly", yesNo[s.appendOnly])
	} else {
		conf, err := s.sentinelConf()
		if err != nil {
			return err
		}
		args = append([]string{conf, "--sentinel"}, args...)
	}
	cmd := exec.Command(s.bin, append(args, s.extra...)...)
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			s.mu.Lock()
			s.cmd = nil
			s.mu.Unlock()
			return fmt.Errorf("redis-server exited: %s", s.logTail())
		default:
		}
		if ping(s.Addr()) == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("no PONG within %v: %s", startTimeout, s.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logTail returns the last lines of the server log, for failure messages.
func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// ping sends an inline PING and wants +PONG (a loading server answers
// -LOADING, which counts as not ready).
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return errors.New(strings.TrimSpace(line))
	}
	return nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// serverBinary finds redis-server or fails the test saying how to get it.
func serverBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("IDBRIDGE_REDIS_SERVER"); p != "" {
		return p
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redistest: redis-server not found; run scripts/test, which installs it, " +
			"or set IDBRIDGE_REDIS_SERVER to its path")
	}
	return p
}
