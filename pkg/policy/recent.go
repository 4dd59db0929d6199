package policy

import (
	"math"
	"slices"
	"sync/atomic"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// recentSize is how many recent contexts a replica keeps for previews.
const recentSize = 64

// Recent keeps the last decisions' contexts of this replica, anonymised
// (Anonymous), for previewing a candidate policy on real traffic. Add is
// lock-free; it is safe for concurrent use.
type Recent struct {
	slots [recentSize]atomic.Pointer[Context]
	next  atomic.Uint64
}

// Add keeps an anonymised copy of c.
func (r *Recent) Add(c Context) {
	a := Anonymous(c)
	i := r.next.Add(1) - 1
	r.slots[i%recentSize].Store(&a)
}

// List returns the kept contexts, newest first.
func (r *Recent) List() []Context {
	n := r.next.Load()
	var out []Context
	for k := uint64(0); k < min(n, recentSize); k++ {
		if c := r.slots[(n-1-k)%recentSize].Load(); c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// Anonymous is c without what could single out a person: networks become
// placeholders that keep only whether they are the same, the device id
// goes, and coordinates are rounded to about 10 km. What the policy reads
// (and so its decision) stays the same, up to the rounding.
func Anonymous(c Context) Context {
	s := &c.Signals
	s.RequestedACR = slices.Clone(s.RequestedACR)
	cur := s.Network
	if s.Network != "" {
		s.Network = "network-1"
	}
	s.Location = round(s.Location)
	if s.Last != nil {
		last := *s.Last
		last.DeviceID = ""
		switch last.Network {
		case "":
		case cur:
			last.Network = s.Network
		default:
			last.Network = "network-2"
		}
		last.Location = round(last.Location)
		s.Last = &last
	}
	if s.MaxAge != nil {
		m := *s.MaxAge
		s.MaxAge = &m
	}
	return c
}

func round(l stepup.Location) stepup.Location {
	l.Lat = math.Round(l.Lat*10) / 10
	l.Lon = math.Round(l.Lon*10) / 10
	return l
}
