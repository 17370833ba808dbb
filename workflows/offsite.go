package workflows

import (
	"regexp"
	"sort"
	"strings"
)

// Flag is one finding of the offsite-solicitation detector: its kind and
// the byte span [Start, End) of the message it matched.
type Flag struct {
	Kind  string `json:"kind"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Match string `json:"match"`
}

// Flag kinds.
const (
	FlagEmail        = "email"
	FlagPhone        = "phone"
	FlagMessagingApp = "messaging_app"
	FlagPayment      = "payment_method"
	FlagOffPlatform  = "off_platform_request"
)

// rule is one pattern of a kind, with an optional veto: a match whose
// surrounding text matches veto is dropped (it talks about building or
// integrating the thing, not about using it to leave the platform).
type rule struct {
	kind    string
	pattern *regexp.Regexp
	// keep, if set, decides on the match and the text around it.
	keep func(text string, start, end int) bool
}

const (
	// number words as people spell phone numbers out
	numWord = `(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|um|dois|três|quatro|sete|oito|nove|un|deux|trois|quatre|cinq|sept|huit|neuf)`
	apps    = `whats\s?app|whatsap|wa\.me|watsapp|telegram|telegrm|t\.me|signal|skype|wechat|we\s?chat|viber|discord|snapchat|snap|messenger|instagram|insta|imo|kik|line app|zalo|kakao(?:talk)?`
	pays    = `paypal|pay\s?pal|venmo|zelle|cash\s?app|transferwise|wise(?:\.com)?|western\s+union|moneygram|payoneer|skrill|revolut|bitcoin|btc|usdt|tether|ethereum|crypto|binance|iban|swift\s+code|routing\s+number|bank\s+(?:transfer|wire|account|details)|wire\s+transfer|direct\s+(?:bank\s+)?deposit|transferencia|pix|virement`
)

var rules = []rule{
	{FlagEmail, regexp.MustCompile(`(?i)[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}`), notCode},
	{FlagEmail, regexp.MustCompile(`(?i)\b[a-z0-9][a-z0-9._+-]*\s*(?:[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]|\s(?:at|arroba)\s)\s*[a-z0-9-]+\s*(?:[\[\(\{<]\s*(?:dot|\.|punto|ponto|point)\s*[\]\)\}>]|\s(?:dot|punto|ponto|point)\s|\.)\s*[a-z]{2,6}\b`), notCode},
	{FlagEmail, regexp.MustCompile(`(?i)\b[a-z0-9._]+\s+(?:at|@)\s+(?:gmail|yahoo|hotmail|outlook|proton(?:mail)?|icloud|aol|yandex|gmx|mail|live)\b`), nil},
	{FlagEmail, regexp.MustCompile(`(?i)(?:\b[a-z0-9]\s){2,}[a-z0-9]?\s*@\s*(?:[a-z0-9]\s?){2,}\.\s?(?:[a-z]\s?){2,3}`), nil},
	{FlagEmail, regexp.MustCompile(`(?i)\b(?:gmail|yahoo|hotmail|outlook|protonmail|icloud)\b`), nearContact},

	{FlagPhone, regexp.MustCompile(`(?:\+|\b00)?\(?\d[\d\s().\-]{6,}\d`), isPhone},
	{FlagPhone, regexp.MustCompile(`(?i)\b(?:` + numWord + `|\d)(?:[\s,.\-]+(?:` + numWord + `|\d)){6,}\b`), spelledDigits},

	{FlagMessagingApp, regexp.MustCompile(`(?i)\b(?:` + apps + `)\b`), usedAsContact},
	{FlagMessagingApp, regexp.MustCompile(`(?i)\b(?:my\s+)?(?:tg|ig|wa|dc)\s*(?:is|:|id|handle)\s*@?\w+`), nil},
	{FlagMessagingApp, regexp.MustCompile(`(?i)\b[a-z0-9_.]{2,32}#\d{4}\b`), nil},

	{FlagPayment, regexp.MustCompile(`(?i)\b(?:` + pays + `)\b`), usedForPayment},
	{FlagPayment, regexp.MustCompile(`(?i)\bpay(?:ing)?\s+(?:me|you|him|her|us)?\s*(?:directly|outside|off[\s-]?(?:the\s+)?(?:platform|site))|\b(?:skip|avoid|bypass|save)\s+(?:on\s+)?(?:the\s+)?(?:platform'?s?\s+|site'?s?\s+|service\s+)?(?:fees?|commission)\b|\b(?:pague|pagar)\s+(?:me\s+)?directamente|\bpagamento\s+direto\b`), nil},

	{FlagOffPlatform, regexp.MustCompile(`(?i)\b(?:outside|off|away\s+from)\s+(?:of\s+)?(?:this|the)\s+(?:platform|site|website|app|marketplace)|\boff[\s-]platform\b|\b(?:contact|reach|email|call|text|message)\s+me\s+(?:directly|privately|personally|outside)|\b(?:deal|work|talk|continue|communicate|chat)\s+(?:directly|privately|outside)\b|\b(?:move|take|continue)\s+(?:this|it|the\s+(?:project|work|conversation|chat|payment))\s+(?:off|outside|elsewhere|to\s+(?:` + apps + `|email|my\s+email|whatsapp))|\b(?:avoid|skip|bypass|save\s+on)\s+(?:the\s+)?(?:platform|site|upwork|fiverr|service)\s*(?:'s\s*)?(?:fees?|commission|cut)\b|\b(?:fuera\s+de\s+la\s+plataforma|por\s+fuera|fora\s+da\s+plataforma|en\s+dehors\s+de\s+la\s+plateforme|hors\s+plateforme)|\b(?:upwork|fiverr|freelancer\.com|this\s+platform)\s+(?:takes|charges|keeps)\s+(?:too\s+much|a\s+lot|\d+%)|\bdiscount\s+if\s+(?:we|you)\s+(?:deal|work|pay)\s+(?:directly|outside)`), nil},
}

// DetectOffsite flags what in a message looks like moving the conversation
// or the payment off the platform. Precise before paranoid: prices, dates,
// order numbers, versions and talk about building with these tools are
// not flagged.
func DetectOffsite(text string) []Flag {
	out := []Flag{}
	seen := map[string]bool{}
	for _, r := range rules {
		for _, loc := range r.pattern.FindAllStringIndex(text, -1) {
			start, end := loc[0], loc[1]
			for start < end && (text[start] == ' ' || text[start] == '(') {
				start++
			}
			if r.keep != nil && !r.keep(text, start, end) {
				continue
			}
			if seen[r.kind] && overlapsKind(out, r.kind, start, end) {
				continue
			}
			seen[r.kind] = true
			out = append(out, Flag{Kind: r.kind, Start: start, End: end, Match: text[start:end]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func overlapsKind(flags []Flag, kind string, start, end int) bool {
	for _, f := range flags {
		if f.Kind == kind && start < f.End && f.Start < end {
			return true
		}
	}
	return false
}

// around returns up to n bytes of lower-cased context on each side.
func around(text string, start, end, n int) (before, after string) {
	b, a := max(0, start-n), min(len(text), end+n)
	return strings.ToLower(text[b:start]), strings.ToLower(text[end:a])
}

var codeContext = regexp.MustCompile("(?i)(?:`|=\\s*[\"']|\\b(?:const|let|var|def|import|from|select|insert|assert|expect|@\\w+\\()\\b|\\(\\s*[\"'])")

// notCode drops addresses that sit inside code (placeholders in a snippet).
func notCode(text string, start, end int) bool {
	before, after := around(text, start, end, 20)
	return !codeContext.MatchString(before + "|" + after[:min(len(after), 3)])
}

var contactWords = regexp.MustCompile(`(?i)\b(?:contact|reach|email|mail|write|message|msg|text|call|ring|ping|dm|add|find|hit|talk|chat|send|my|me|on|via|through|en|no|sur|por|pelo)\b`)

func nearContact(text string, start, end int) bool {
	before, after := around(text, start, end, 25)
	return contactWords.MatchString(before) || strings.Contains(after, "@") || regexp.MustCompile(`(?i)^\s*(?:is|:|id|account)`).MatchString(after)
}

var buildContext = regexp.MustCompile(`(?i)\b(?:api|sdk|bot|bots|clone|integrat\w*|webhook|plugin|library|module|checkout|gateway|sandbox|oauth|login|button|icon|logo|feature|app\s+we|component|endpoint|scraper|widget|template|theme|ui|ux|design|mockup|screen|dashboard|backend|frontend|developer|docs|documentation|like)\b`)

var contactAppUse = regexp.MustCompile(`(?i)(?:\b(?:add|contact|reach|message|msg|text|call|ping|dm|talk|chat|write|find|hit|join|send|sms|speak|meet|connect)\s+(?:me|us|you)?\s*(?:on|in|via|at|through|over)?\s*$|\b(?:my|mi|meu|mon|ma)\s+$|\b(?:on|via|through|over|in|en|por|pelo|sur)\s+$|\b(?:let'?s|lets|can\s+we|could\s+we|we\s+can)\s+(?:talk|chat|continue|move|switch|go)\s+(?:on|to|over\s+to)?\s*$)`)
var contactAppAfter = regexp.MustCompile(`(?i)^\s*(?:me\b|number|no\.?\b|id\b|handle|username|user\s*name|is\b|:|@|\+?\d|account|group|call|chat|instead|please|pls|plz)`)

// usedAsContact keeps an app name offered as a channel to talk on, not one
// being built, integrated or discussed.
func usedAsContact(text string, start, end int) bool {
	before, after := around(text, start, end, 30)
	if buildContext.MatchString(before) || buildContext.MatchString(after[:min(len(after), 20)]) {
		return false
	}
	word := strings.ToLower(text[start:end])
	if word == "signal" || word == "snap" || word == "line app" || word == "insta" || word == "imo" || word == "messenger" {
		// Common words: only with an explicit contact phrase.
		return contactAppUse.MatchString(before) && contactAppAfter.MatchString(after) || strings.HasSuffix(before, "my ")
	}
	return contactAppUse.MatchString(before) || contactAppAfter.MatchString(after)
}

var payWords = regexp.MustCompile(`(?i)\b(?:pay|paid|payment|pago|pagar|pague|pagamento|paiement|payer|send|sent|transfer|receive|money|cash|funds|invoice|wallet|address|account|fees?|directly|instead|outside|details|number|usd|eur|\$)`)

// usedForPayment keeps a payment method proposed for paying, not one being
// integrated into a product.
func usedForPayment(text string, start, end int) bool {
	before, after := around(text, start, end, 40)
	if buildContext.MatchString(before) || buildContext.MatchString(after[:min(len(after), 25)]) {
		return false
	}
	word := strings.ToLower(text[start:end])
	switch word {
	case "wise", "wise.com", "pix", "crypto", "snap":
		return payWords.MatchString(before+" "+after) && regexp.MustCompile(`(?i)\b(?:via|through|with|by|on|over|use|using|to\s+my|my|por|pelo|com)\s*$`).MatchString(before)
	}
	return payWords.MatchString(before + " " + after)
}

var digitsOnly = regexp.MustCompile(`\d`)
var notPhoneBefore = regexp.MustCompile(`(?i)(?:#|\b(?:order|invoice|inv|ticket|ref|reference|id|no|po|sku|build|version|v|ver|release|tracking|case|item|issue|pr|commit|port|ip|account\s+id|transaction|txn|timestamp|epoch)\b\W{0,3}|[$€£¥]\s*|\b(?:usd|eur|gbp|brl|inr)\s*)$`)
var notPhoneAfter = regexp.MustCompile(`(?i)^\s*(?:usd|eur|gbp|brl|inr|dollars|euros|px|mm|cm|kg|km|ms|%|x\s*\d|,\d{2}\b|\.\d{2}\b)`)
var dateLike = regexp.MustCompile(`^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:\s+\d{1,2}[:.]\d{2})?$`)
var phoneContext = regexp.MustCompile(`(?i)\b(?:call|text|phone|tel|mobile|cell|cel|number|num|whats\s?app|telegram|viber|signal|sms|ring|contact|reach|número|numero|celular|tlf|teléfono)\b|\+$`)

// isPhone keeps digit runs that look like a phone number: 8 to 15 digits,
// not a date, price, version, IP, order number or measurement.
func isPhone(text string, start, end int) bool {
	s := strings.TrimRight(text[start:end], " .-(")
	end = start + len(s)
	n := len(digitsOnly.FindAllString(s, -1))
	if n < 8 || n > 15 {
		return false
	}
	before, after := around(text, start, end, 30)
	if notPhoneBefore.MatchString(before) || notPhoneAfter.MatchString(after) || dateLike.MatchString(s) {
		return false
	}
	if regexp.MustCompile(`^\d{1,3}(?:\.\d{1,3}){3}$`).MatchString(s) || regexp.MustCompile(`^\d+(?:\.\d+){2,}$`).MatchString(s) && !phoneContext.MatchString(before) {
		return false // IP address or version
	}
	if regexp.MustCompile(`^\d{1,3}(?:,\d{3})+(?:\.\d+)?$`).MatchString(s) {
		return false // a number with thousands separators
	}
	grouped := strings.ContainsAny(s, " -().")
	if strings.HasPrefix(s, "+") || phoneContext.MatchString(before) || phoneContext.MatchString(after[:min(len(after), 15)]) {
		return true
	}
	// Without context: a grouped number, or a contiguous one starting with 0.
	return grouped && !regexp.MustCompile(`^\d{2}:\d{2}`).MatchString(s) || s[0] == '0' && n >= 10
}

// spelledDigits keeps runs of at least seven digits where some are spelled out.
func spelledDigits(text string, start, end int) bool {
	s := strings.ToLower(text[start:end])
	words := regexp.MustCompile(numWord).FindAllString(s, -1)
	return len(words) >= 3 && len(words)+len(digitsOnly.FindAllString(s, -1)) >= 7
}
