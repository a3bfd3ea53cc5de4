package store

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// appendStored appends the JSON of Stored{Ballot: *b, Received: received}
// to out, as encoding/json would decode it back, without reflection: the
// central encodes every ballot it stores, so this is on ingest's path.
func appendStored(out []byte, b *wire.SealedBallot, received time.Time) ([]byte, error) {
	if !jsonTime(b.CastAt) || !jsonTime(received) {
		// let encoding/json say what is wrong
		enc, err := json.Marshal(Stored{Ballot: *b, Received: received})
		return append(out, enc...), err
	}
	out = append(out, `{"ballot":{"id":`...)
	out = appendString(out, b.ID)
	out = append(out, `,"kiosk":`...)
	out = appendString(out, b.Kiosk)
	out = append(out, `,"seq":`...)
	out = strconv.AppendUint(out, b.Seq, 10)
	out = append(out, `,"prev":`...)
	out = appendString(out, b.Prev)
	out = append(out, `,"castAt":"`...)
	out = append(b.CastAt.AppendFormat(out, time.RFC3339Nano), `","edition":`...)
	out = appendString(out, b.Edition)
	out = append(out, `,"catalog":`...)
	out = strconv.AppendInt(out, int64(b.Catalog), 10)
	out = append(out, `,"district":`...)
	out = appendString(out, b.District)
	out = append(out, `,"voterKey":"`...)
	out = append(hex.AppendEncode(out, b.VoterKey[:]), `","selections":`...)
	if b.Selections == nil {
		out = append(out, "null"...)
	} else {
		out = append(out, '[')
		for i, s := range b.Selections {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, `{"pool":`...)
			out = appendString(out, s.Pool)
			out = append(out, `,"choices":`...)
			if s.Choices == nil {
				out = append(out, "null"...)
			} else {
				out = append(out, '[')
				for j, c := range s.Choices {
					if j > 0 {
						out = append(out, ',')
					}
					out = append(out, `{"project":`...)
					out = appendString(out, c.Project)
					out = append(out, `,"points":`...)
					out = append(strconv.AppendInt(out, int64(c.Points), 10), '}')
				}
				out = append(out, ']')
			}
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	out = append(out, `,"sig":`...)
	if b.Sig == nil {
		out = append(out, "null"...)
	} else {
		out = append(out, '"')
		out = append(base64.StdEncoding.AppendEncode(out, b.Sig), '"')
	}
	out = append(out, `},"received":"`...)
	out = append(received.AppendFormat(out, time.RFC3339Nano), `"}`...)
	return out, nil
}

// jsonTime reports whether encoding/json can encode t (years 0 to 9999).
func jsonTime(t time.Time) bool { return t.Year() >= 0 && t.Year() <= 9999 }

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD as encoding/json does.
func appendString(out []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	out = append(out, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				out = append(out, '\\', c)
			case c < 0x20:
				out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				out = append(out, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			out = append(out, `\ufffd`...)
		} else {
			out = append(out, s[i:i+n]...)
		}
		i += n
	}
	return append(out, '"')
}

// storedDecoder reads back what appendStored wrote without reflection; a
// scan of a million ballots (the audit) would otherwise spend more time in
// encoding/json than in verifying signatures. Strings that repeat (kiosk,
// edition, district, pools, projects) are interned. Anything it does not
// expect (escapes, another field order) makes decode report false, and
// the caller falls back to encoding/json.
type storedDecoder struct{ in interner }

func (d *storedDecoder) decode(raw []byte, st *Stored) bool {
	p := jsonCursor{b: raw}
	b := &st.Ballot
	ok := p.lit(`{"ballot":{"id":`) && p.str(&b.ID, nil) &&
		p.lit(`,"kiosk":`) && p.str(&b.Kiosk, d.in) &&
		p.lit(`,"seq":`) && p.uint(&b.Seq) &&
		p.lit(`,"prev":`) && p.str(&b.Prev, nil) &&
		p.lit(`,"castAt":`) && p.time(&b.CastAt) &&
		p.lit(`,"edition":`) && p.str(&b.Edition, d.in) &&
		p.lit(`,"catalog":`) && p.int(&b.Catalog) &&
		p.lit(`,"district":`) && p.str(&b.District, d.in) &&
		p.lit(`,"voterKey":"`) && p.hex(b.VoterKey[:]) &&
		p.lit(`,"selections":`)
	if !ok {
		return false
	}
	b.Selections = nil
	if !p.lit("null") {
		if !p.lit("[") {
			return false
		}
		for first := true; !p.lit("]"); first = false {
			if !first && !p.lit(",") {
				return false
			}
			var s election.Selection
			if !p.lit(`{"pool":`) || !p.str(&s.Pool, d.in) || !p.lit(`,"choices":`) {
				return false
			}
			if !p.lit("null") {
				if !p.lit("[") {
					return false
				}
				s.Choices = []election.Choice{}
				for first := true; !p.lit("]"); first = false {
					var c election.Choice
					if !first && !p.lit(",") || !p.lit(`{"project":`) || !p.str(&c.Project, d.in) || !p.lit(`,"points":`) || !p.int(&c.Points) || !p.lit("}") {
						return false
					}
					s.Choices = append(s.Choices, c)
				}
			}
			if !p.lit("}") {
				return false
			}
			b.Selections = append(b.Selections, s)
		}
		if b.Selections == nil {
			b.Selections = []election.Selection{}
		}
	}
	if !p.lit(`,"sig":`) {
		return false
	}
	b.Sig = nil
	if !p.lit("null") {
		var sig string
		if !p.str(&sig, nil) {
			return false
		}
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			return false
		}
		b.Sig = raw
	}
	return p.lit(`},"received":`) && p.time(&st.Received) && p.lit("}") && len(p.b) == 0
}

// jsonCursor walks a JSON text of a known shape.
type jsonCursor struct{ b []byte }

func (p *jsonCursor) lit(s string) bool {
	if len(p.b) < len(s) || string(p.b[:len(s)]) != s {
		return false
	}
	p.b = p.b[len(s):]
	return true
}

// raw reads a JSON string without escapes and returns its bytes.
func (p *jsonCursor) raw() ([]byte, bool) {
	if len(p.b) == 0 || p.b[0] != '"' {
		return nil, false
	}
	for i := 1; i < len(p.b); i++ {
		switch c := p.b[i]; {
		case c == '"':
			s := p.b[1:i]
			p.b = p.b[i+1:]
			return s, true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, false // escapes and non-ASCII: encoding/json decides
		}
	}
	return nil, false
}

func (p *jsonCursor) str(out *string, in interner) bool {
	s, ok := p.raw()
	if !ok {
		return false
	}
	if in != nil {
		*out = in.get(s)
	} else {
		*out = string(s)
	}
	return true
}

func (p *jsonCursor) digits() ([]byte, bool) {
	i := 0
	for i < len(p.b) && (p.b[i] >= '0' && p.b[i] <= '9' || i == 0 && p.b[i] == '-') {
		i++
	}
	if i == 0 {
		return nil, false
	}
	d := p.b[:i]
	p.b = p.b[i:]
	return d, true
}

func (p *jsonCursor) uint(out *uint64) bool {
	d, ok := p.digits()
	if !ok {
		return false
	}
	v, err := strconv.ParseUint(string(d), 10, 64)
	*out = v
	return err == nil
}

func (p *jsonCursor) int(out *int) bool {
	d, ok := p.digits()
	if !ok {
		return false
	}
	v, err := strconv.Atoi(string(d))
	*out = v
	return err == nil
}

func (p *jsonCursor) time(out *time.Time) bool {
	s, ok := p.raw()
	if !ok {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, string(s))
	*out = t
	return err == nil
}

// hex reads hex digits into out and the closing quote.
func (p *jsonCursor) hex(out []byte) bool {
	n := 2 * len(out)
	if len(p.b) < n+1 || p.b[n] != '"' {
		return false
	}
	if _, err := hex.Decode(out, p.b[:n]); err != nil {
		return false
	}
	p.b = p.b[n+1:]
	return true
}
