package onekosmos

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
)

// errNoAccount marks an account lookup that found no account for a DID.
var errNoAccount = errors.New("onekosmos: no account for the DID")

// authenticatedAccount applies 1Kosmos's helpers' rule (FACTS.md section
// 6) to an authenticator's user_data: it must carry did, else the answer
// is refused ("Unauthorized user"); the account is looked up by DID; a
// userid must be one of the account's userIdList, compared
// case-insensitively as the Java helper does (the Node helper's indexOf
// test skips the first entry, which looks like a bug and is not copied);
// without a userid the first listed is taken. A refused answer gives a nil
// account and the reason; only a failed lookup is an error.
func (c *Client) authenticatedAccount(ctx context.Context, user obj) (*idv.Account, string, error) {
	did := user.str("did")
	if did == "" {
		return nil, "Unauthorized user: the authenticator's answer names no DID", nil
	}
	ids, err := c.accountUserIDs(ctx, did)
	if errors.Is(err, errNoAccount) {
		return nil, "Unauthorized user: 1Kosmos has no account for the DID", nil
	}
	if err != nil {
		return nil, "", err
	}
	userID := user.str("userid")
	if userID == "" {
		if len(ids) == 0 {
			return nil, "Unauthorized user: the DID's account lists no user id", nil
		}
		return &idv.Account{DID: did, UserID: ids[0]}, "", nil
	}
	for _, id := range ids {
		if strings.EqualFold(id, userID) {
			return &idv.Account{DID: did, UserID: userID}, "", nil
		}
	}
	return nil, "Unauthorized user: the user id is not one of the DID's", nil
}

// accountUserIDs looks an account up by DID: GET {adminconsole}/api/r1/
// community/{community}/userdid/{did}/userinfo with publickey, X-TenantTag,
// and licensekey and requestid encrypted under ECDH(client private,
// community.publicKey); the answer's data decrypts with the same key to an
// object with userIdList. errNoAccount for a 404 or an answer without
// data (the helpers' "PoN not found"). Idempotent and retried.
func (c *Client) accountUserIDs(ctx context.Context, did string) ([]string, error) {
	const op = "account_lookup"
	var ids []string
	err := c.signedCall(ctx, 0, func(t *tenant) error {
		if t.community == nil {
			return rejected(op, "community_info gave no usable community publicKey for the account lookup")
		}
		if t.adminconsole == "" {
			return rejected(op, "service map has no adminconsole URL for the account lookup")
		}
		path := strings.NewReplacer("{community}", url.PathEscape(t.communityName), "{did}", url.PathEscape(did)).Replace(c.cfg.Paths.AccountInfo)
		return c.do(ctx, exchange{
			op: op, idempotent: true,
			build: func(ctx context.Context) (*http.Request, error) {
				h, err := t.community.headers()
				if err != nil {
					return nil, err
				}
				h["X-TenantTag"] = []string{t.tenantTag}
				return newRequest(ctx, http.MethodGet, strings.TrimRight(t.adminconsole, "/")+path, h, nil)
			},
			handle: func(status int, raw []byte) error {
				if status == http.StatusNotFound {
					return errNoAccount
				}
				if status/100 != 2 {
					return c.serviceError(op, status, raw)
				}
				var outer struct {
					Data string `json:"data"`
				}
				if json.Unmarshal(raw, &outer) != nil {
					return unavailable(op, errGarbage)
				}
				if outer.Data == "" {
					return errNoAccount
				}
				plain, err := t.community.open(outer.Data)
				if err != nil {
					return unavailable(op, errUndecrypt)
				}
				pon, err := parseObj(plain)
				if err != nil {
					return unavailable(op, err)
				}
				ids = pon.texts("userIdList")
				return nil
			},
		})
	})
	return ids, err
}
