package main

import (
	"github.com/idbridge/idbridge/pkg/api"
	"github.com/idbridge/idbridge/pkg/config"
)

// The front doors take settings of their own types; these build them from
// the configuration file (defaults applied and validated by pkg/config).

// apiOptions are the connector API's settings of the api section.
func apiOptions(c config.API) api.Options {
	o := api.Options{
		Webhooks: api.Webhooks{
			MaxAttempts: c.Webhooks.MaxAttempts, Backoff: c.Webhooks.Backoff, MaxBackoff: c.Webhooks.MaxBackoff,
			Timeout: c.Webhooks.Timeout, Lease: c.Webhooks.Lease, Interval: c.Webhooks.Interval, EventTTL: c.Webhooks.EventTTL,
		},
		Hooks:        api.Hooks{Secret: c.Hooks.Secret, Owner: c.Hooks.Owner, ReplayWindow: c.Hooks.ReplayWindow, RawTTL: c.Hooks.RawTTL},
		PollInterval: c.PollInterval, RecordTTL: c.RecordTTL, IdempotencyTTL: c.IdempotencyTTL,
		MaxBodyBytes: c.MaxBodyBytes, AuthFailuresPerMinute: c.AuthFailuresPerMinute,
	}
	for _, cl := range c.Clients {
		o.Clients = append(o.Clients, api.Caller{ID: cl.ID, CheckToken: cl.CheckToken, HMACSecret: cl.HMACSecret,
			RateLimit: cl.RateLimit, AllowForget: cl.AllowForget, IdentifierNamespace: cl.IdentifierNamespace})
	}
	for _, e := range c.Webhooks.Endpoints {
		o.Webhooks.Endpoints = append(o.Webhooks.Endpoints, api.WebhookEndpoint{URL: e.URL, Secret: e.Secret, Events: e.Events})
	}
	for _, r := range c.Hooks.Rules {
		o.Hooks.Rules = append(o.Hooks.Rules, api.HookRule{Event: r.Event, Action: r.Action, UnlessVerified: r.UnlessVerified})
	}
	return o
}
