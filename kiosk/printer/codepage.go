package printer

import (
	"strings"
	"unicode"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// CodePage is a single-byte character set a printer can select, with the
// number the printer knows it by.
type CodePage struct {
	Name   string
	Number byte
	Map    *charmap.Charmap
}

func cp852(n byte) CodePage   { return CodePage{"CP852", n, charmap.CodePage852} }
func win1250(n byte) CodePage { return CodePage{"Windows-1250", n, charmap.Windows1250} }
func cp866(n byte) CodePage   { return CodePage{"CP866", n, charmap.CodePage866} }
func win1251(n byte) CodePage { return CodePage{"Windows-1251", n, charmap.Windows1251} }

// Encode returns the byte for r in this code page.
func (c CodePage) Encode(r rune) (byte, bool) {
	if r < 0x80 {
		return byte(r), true
	}
	return c.Map.EncodeRune(r)
}

// translit spells letters no code page of a printer has: Ukrainian in
// Latin letters (the official 2010 table), and typographic punctuation.
var translit = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "H", 'Ґ': "G", 'Д': "D", 'Е': "E", 'Є': "Ye", 'Ж': "Zh", 'З': "Z",
	'И': "Y", 'І': "I", 'Ї': "Yi", 'Й': "Y", 'К': "K", 'Л': "L", 'М': "M", 'Н': "N", 'О': "O", 'П': "P",
	'Р': "R", 'С': "S", 'Т': "T", 'У': "U", 'Ф': "F", 'Х': "Kh", 'Ц': "Ts", 'Ч': "Ch", 'Ш': "Sh", 'Щ': "Shch",
	'Ь': "", 'Ю': "Yu", 'Я': "Ya", 'Ы': "Y", 'Э': "E", 'Ё': "Yo", 'Ъ': "",
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie", 'ж': "zh", 'з': "z",
	'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
	'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ь': "", 'ю': "iu", 'я': "ia", 'ы': "y", 'э': "e", 'ё': "io", 'ъ': "",
	'„': "\"", '”': "\"", '“': "\"", '«': "\"", '»': "\"", '‘': "'", '’': "'", 'ʼ': "'",
	'–': "-", '—': "-", '…': "...", '\u00a0': " ", '\u202f': " ", '€': "EUR", '№': "No.",
	'ł': "l", 'Ł': "L",
}

// cyrillicFallback spells the Ukrainian letters CP866 lacks with the
// nearest letter it has: і as the Latin i it looks like, ґ as г (as
// Ukrainian was printed before 1990).
var cyrillicFallback = map[rune]rune{'і': 'i', 'І': 'I', 'ґ': 'г', 'Ґ': 'Г'}

// Transliterate spells r with ASCII letters: the table above, else the
// letter without its accents, else "?" only for what has no spelling at all.
func Transliterate(r rune) string {
	if s, ok := translit[r]; ok {
		return s
	}
	var b strings.Builder
	for _, x := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, x) {
			continue
		}
		if x < 0x80 {
			b.WriteRune(x)
		}
	}
	if b.Len() > 0 {
		return b.String()
	}
	if unicode.IsSpace(r) {
		return " "
	}
	return "?"
}
