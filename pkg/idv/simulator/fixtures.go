package simulator

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/png"

	"github.com/idbridge/idbridge/pkg/idv"
)

// Fixture is a made-up identity the hosted page offers in its
// "Simulator: identity" picker (simulator-only). Completing a session with
// it yields its Person and Document.
type Fixture struct {
	// Name is the stable key used by the picker and CompleteOptions.
	Name string
	// Label is what the picker shows.
	Label    string
	Person   idv.Person
	Document idv.Document
	// Expired marks a document past its expiry date: verification fails.
	Expired bool
	// Spoof marks a fixture whose sample selfie is a presentation attack:
	// liveness fails.
	Spoof bool
	// Selfie is the fixture's sample selfie (a tiny PNG); it becomes the
	// enrolled face when it is used.
	Selfie []byte
	// DocumentImage is the sample document image (a tiny PNG).
	DocumentImage []byte
}

// fixtures are built once; the first is the AutoComplete identity.
var fixtures = []Fixture{
	{
		Name:  "jane-doe",
		Label: "Jane Q. Doe — US driver's licence (California)",
		Person: idv.Person{
			GivenName: "Jane", MiddleName: "Quinn", FamilyName: "Doe", BirthDate: "1990-04-12",
			PlaceOfBirth: "Sacramento", Nationalities: []string{"US"},
			Address: &idv.Address{StreetAddress: "123 Main Street", Locality: "Springfield", Region: "CA", PostalCode: "90001", Country: "US"},
		},
		Document: idv.Document{Type: idv.DriversLicense, Number: "D1234567", IssuingCountry: "US", Issuer: "CA", DateOfIssuance: "2021-05-01", DateOfExpiry: "2031-04-12"},
	},
	{
		Name:  "erika-mustermann",
		Label: "Erika Mustermann — German passport",
		Person: idv.Person{
			GivenName: "Erika", FamilyName: "Mustermann", BirthDate: "1983-08-12",
			PlaceOfBirth: "Berlin", Nationalities: []string{"DE"},
			Address: &idv.Address{StreetAddress: "Heidestrasse 17", Locality: "Koeln", PostalCode: "51147", Country: "DE"},
		},
		Document: idv.Document{Type: idv.Passport, Number: "C01X00T47", IssuingCountry: "DE", DateOfIssuance: "2020-10-01", DateOfExpiry: "2030-09-30"},
	},
	{
		Name:  "marie-martin",
		Label: "Marie Martin — French identity card",
		Person: idv.Person{
			GivenName: "Marie", FamilyName: "Martin", BirthDate: "1995-01-23",
			PlaceOfBirth: "Lyon", Nationalities: []string{"FR"},
			Address: &idv.Address{StreetAddress: "8 rue de la Paix", Locality: "Paris", PostalCode: "75002", Country: "FR"},
		},
		Document: idv.Document{Type: idv.IDCard, Number: "X4RTBPFW4", IssuingCountry: "FR", DateOfIssuance: "2022-03-15", DateOfExpiry: "2032-03-14"},
	},
	{
		Name:    "tom-expired",
		Label:   "Tom Atkins — UK driving licence, EXPIRED",
		Expired: true,
		Person: idv.Person{
			GivenName: "Tom", FamilyName: "Atkins", BirthDate: "1970-11-02",
			Nationalities: []string{"GB"},
			Address:       &idv.Address{StreetAddress: "1 High Street", Locality: "Leeds", PostalCode: "LS1 1AA", Country: "GB"},
		},
		Document: idv.Document{Type: idv.DriversLicense, Number: "ATKIN711020T99AB", IssuingCountry: "GB", Issuer: "DVLA", DateOfIssuance: "2010-06-01", DateOfExpiry: "2020-06-01"},
	},
	{
		Name:  "sam-spoof",
		Label: "Sam Rivera — Canadian passport, selfie is a SPOOF (fails liveness)",
		Spoof: true,
		Person: idv.Person{
			GivenName: "Sam", FamilyName: "Rivera", BirthDate: "1988-06-30",
			Nationalities: []string{"CA"},
			Address:       &idv.Address{StreetAddress: "50 King Street W", Locality: "Toronto", Region: "ON", PostalCode: "M5H 1J9", Country: "CA"},
		},
		Document: idv.Document{Type: idv.Passport, Number: "AB123456", IssuingCountry: "CA", DateOfIssuance: "2019-02-01", DateOfExpiry: "2029-01-31"},
	},
}

// strangerSelfie is "another face": it matches nobody's enrolled face.
var strangerSelfie []byte

// spoofs holds the SHA-256 of marked spoof images.
var spoofs = map[[32]byte]bool{}

func init() {
	palette := []color.RGBA{{0xd9, 0xa0, 0x7c, 255}, {0xb5, 0x7e, 0x5b, 255}, {0xf0, 0xc8, 0xa8, 0xff}, {0x8d, 0x5a, 0x3c, 255}, {0xc0, 0xc0, 0xc0, 255}}
	for i := range fixtures {
		f := &fixtures[i]
		f.Selfie = facePNG(palette[i%len(palette)], byte(i), f.Spoof)
		f.DocumentImage = documentPNG(byte(i))
		if f.Spoof {
			spoofs[sha256.Sum256(f.Selfie)] = true
		}
	}
	strangerSelfie = facePNG(color.RGBA{0x60, 0x40, 0x30, 255}, 0xee, false)
}

// Fixtures returns the fixture identities (copies; simulator-only).
func (s *Simulator) Fixtures() []Fixture { return Fixtures() }

// Fixtures returns the fixture identities every simulator offers.
func Fixtures() []Fixture {
	out := make([]Fixture, len(fixtures))
	copy(out, fixtures)
	return out
}

// StrangerSelfie returns a sample face that matches no fixture and no
// enrolled face (simulator-only).
func StrangerSelfie() []byte { return bytes.Clone(strangerSelfie) }

func fixtureByName(name string) (Fixture, bool) {
	if name == "" {
		return fixtures[0], true
	}
	for _, f := range fixtures {
		if f.Name == name {
			return f, true
		}
	}
	return Fixture{}, false
}

// facePNG draws a 16x16 "face": skin colour, two eyes whose position
// depends on seed (so every sample differs), and for a spoof a red frame,
// the mark of a printed photo held up to the camera.
func facePNG(skin color.RGBA, seed byte, spoof bool) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, skin)
			if spoof && (x == 0 || y == 0 || x == 15 || y == 15) {
				img.Set(x, y, color.RGBA{0xff, 0, 0, 255})
			}
		}
	}
	ex := 3 + int(seed%4)
	img.Set(ex, 5, color.Black)
	img.Set(15-ex, 5, color.Black)
	img.Set(7, 8+int(seed%3), color.RGBA{0x80, 0x30, 0x30, 255})
	return encodePNG(img)
}

// documentPNG draws a 24x16 card with a seed-dependent stripe.
func documentPNG(seed byte) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 24, 16))
	for y := range 16 {
		for x := range 24 {
			c := color.RGBA{0xe8, 0xee, 0xf7, 255}
			if y == 3+int(seed%8) {
				c = color.RGBA{0x1f, 0x5f, 0xbf, 255}
			}
			img.Set(x, y, c)
		}
	}
	return encodePNG(img)
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding an in-memory RGBA image cannot fail
	}
	return b.Bytes()
}
