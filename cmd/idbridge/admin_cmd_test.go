package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
	"github.com/idbridge/idbridge/pkg/users"
)

func TestKeysAndUsersCommandsOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	cfgPath := dir + "/idbridge.yaml"
	require.NoError(t, os.WriteFile(cfgPath, []byte("dev: true\nstorage:\n  type: redis\n  redis:\n    addrs: [\""+srv.Addr()+"\"]\npersonal_data:\n  keys: [\"k1:"+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))+"\"]\n  hash_key: "+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))+"\n"), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"keys", "list", "--config", cfgPath}, &out, io.Discard))
	require.Equal(t, 2, strings.Count(out.String(), "current"), out.String())
	before := out.String()

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"keys", "rotate", "--config", cfgPath}, &out, io.Discard))
	require.Equal(t, 2, strings.Count(out.String(), "previous"), "a second process sees and rotates the same ring: %s", out.String())
	require.NotEqual(t, before, out.String())

	// users forget: create a person through the users repository of a
	// built app, then erase them by identifier from the command.
	cfg, err := config.Load(cfgPath)
	require.NoError(t, err)
	a, err := build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer a.Close()
	u, err := a.users.Create(context.Background())
	require.NoError(t, err)
	ada, err := users.NewIdentifier("descope", "ada@example.com")
	require.NoError(t, err)
	require.NoError(t, a.users.AddIdentifier(context.Background(), u.Subject, ada))
	out.Reset()
	require.ErrorContains(t, run(context.Background(), []string{"users", "forget", "ada@example.com", "--config", cfgPath}, io.Discard, io.Discard),
		"no person", "this configuration names no namespace: an identifier must come with --namespace")
	require.NoError(t, run(context.Background(), []string{"users", "forget", "ada@example.com", "--namespace", "descope", "--config", cfgPath}, &out, io.Discard))
	require.Contains(t, out.String(), u.Subject)
	_, err = a.users.Get(context.Background(), u.Subject)
	require.ErrorIs(t, err, users.ErrNotFound)
	require.ErrorContains(t, run(context.Background(), []string{"users", "forget", "nobody@example.com", "--config", cfgPath}, io.Discard, io.Discard), "no person")
}
