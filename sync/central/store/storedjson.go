package store

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

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
