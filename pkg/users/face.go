package users

import (
	"context"
	"errors"
	"fmt"

	"github.com/idbridge/idbridge/pkg/storage"
)

// The enrolled face image is personal data like the verified identity, and
// large: it is sealed in a record of its own, so that reading a person for
// a token or a risk decision never carries it. It goes with retention and
// with Forget, like the rest.

func faceKey(sub string) string { return "face:{" + sub + "}" }

func faceAAD(sub string) []byte { return []byte("face\x00" + sub) }

// putFace seals and stores sub's enrolled face image.
func (r *Repo) putFace(ctx context.Context, sub string, img []byte) error {
	sealed, err := r.seal.Seal(img, faceAAD(sub))
	if err != nil {
		return err
	}
	return r.st.Set(ctx, faceKey(sub), sealed, r.retention)
}

// Face returns the face image enrolled for u, for a face check: nil when
// there is none (never enrolled, or dropped by retention with the verified
// identity). The image must be the one u.FaceRef names.
func (r *Repo) Face(ctx context.Context, u *User) ([]byte, error) {
	if u == nil || u.FaceRef == "" || u.Verified == nil {
		return nil, nil
	}
	sealed, err := r.st.Get(ctx, faceKey(u.Subject))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	img, err := r.seal.Open(sealed, faceAAD(u.Subject))
	if err != nil {
		return nil, fmt.Errorf("users: cannot open the enrolled face: %w", err)
	}
	if faceRef(img) != u.FaceRef {
		// A face written by a verification that then lost the race to
		// record itself: not the enrolled one.
		return nil, nil
	}
	return img, nil
}
