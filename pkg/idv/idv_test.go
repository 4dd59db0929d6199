package idv

import "testing"

func TestSameAccount(t *testing.T) {
	tests := []struct {
		name string
		a, b *Account
		want bool
	}{
		{"same DID and user", &Account{DID: "d1", UserID: "jane"}, &Account{DID: "d1", UserID: "jane"}, true},
		{"same DID, another of its user ids", &Account{DID: "d1", UserID: "jane"}, &Account{DID: "d1", UserID: "jane.doe"}, true},
		{"same DID, one user id unknown", &Account{DID: "d1"}, &Account{DID: "d1", UserID: "jane"}, true},
		{"another DID with the same user id", &Account{DID: "d1", UserID: "jane"}, &Account{DID: "d2", UserID: "jane"}, false},
		{"user ids only, any case", &Account{UserID: "Jane@Example.com"}, &Account{UserID: "jane@example.com"}, true},
		{"a DID on one side only: user ids decide", &Account{DID: "d1", UserID: "jane"}, &Account{UserID: "JANE"}, true},
		{"a DID on one side only, other user", &Account{DID: "d1", UserID: "jane"}, &Account{UserID: "mallory"}, false},
		{"nothing named", &Account{}, &Account{}, false},
		{"empty user ids", &Account{DID: "d1"}, &Account{UserID: ""}, false},
		{"nil", nil, &Account{DID: "d1"}, false},
		{"both nil", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SameAccount(tt.a, tt.b); got != tt.want {
				t.Fatalf("SameAccount(%+v, %+v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := SameAccount(tt.b, tt.a); got != tt.want {
				t.Fatalf("not symmetric for %+v, %+v", tt.a, tt.b)
			}
		})
	}
}

func TestDocumentTypeKnown(t *testing.T) {
	for _, d := range DocumentTypes {
		if !d.Known() {
			t.Fatalf("%s not known", d)
		}
	}
	for _, d := range []DocumentType{"", "passport", "DL_OBJECT", "selfie_object"} {
		if d.Known() {
			t.Fatalf("%q known", d)
		}
	}
}
