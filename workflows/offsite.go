package workflows

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
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

// How the detector works. Each rule has a cheap need (a literal test that
// skips the rule for the many messages that cannot match it), a pattern
// run on the lower-cased message, and a keep function that judges each
// match by the text around it: an app or payment name counts only when it
// is offered as a channel or a method, not when it is built, integrated,
// imitated, refused or used for the platform's own payouts.
//
// Performance notes: patterns are lower-case, without (?i) (case folding
// makes Go's regexp several times slower), and every regexp is compiled
// once, below. Each stays under 500 instructions, the limit up to which Go
// uses its fast backtracking matcher; larger ones are split (see anyOf).

// rule is one pattern of a kind.
type rule struct {
	kind    string
	need    func(m message) bool // nil: always run
	pattern finder
	keep    func(h hit) bool // nil: keep every match
}

// finder is what a rule searches with: a *regexp.Regexp, several of them
// (patterns) or a hand-written scanner (numberRuns).
type finder interface {
	FindAllStringIndex(s string, n int) [][]int
}

// message is the posted text lower-cased (same byte offsets as the
// original) and its skeleton, which needs are tested against.
type message struct {
	lower, skeleton string
}

// hit is a candidate match in the lower-cased message.
type hit struct {
	text       string
	start, end int
}

func (h hit) match() string { return h.text[h.start:h.end] }

// before and after return up to n bytes of the message on each side.
func (h hit) before(n int) string { return h.text[max(0, h.start-n):h.start] }
func (h hit) after(n int) string  { return h.text[h.end:min(len(h.text), h.end+n)] }

// DetectOffsite flags what in a message looks like moving the conversation
// or the payment off the platform. Precise before paranoid: prices, dates,
// order numbers, versions, talk about building with these tools and
// refusals to leave the platform are not flagged.
func DetectOffsite(text string) []Flag {
	lower := lowerSameWidth(text)
	m := message{lower, skeleton(lower)}
	out := []Flag{}
	for _, r := range rules {
		if r.need != nil && !r.need(m) {
			continue
		}
		for _, loc := range r.pattern.FindAllStringIndex(lower, -1) {
			h := hit{lower, loc[0], loc[1]}
			for h.start < h.end && (lower[h.start] == ' ' || lower[h.start] == '(') {
				h.start++
			}
			if r.keep != nil && !r.keep(h) || overlapsKind(out, r.kind, h.start, h.end) {
				continue
			}
			out = append(out, Flag{Kind: r.kind, Start: h.start, End: h.end, Match: text[h.start:h.end]})
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

// --- text helpers -----------------------------------------------------------

// lowerSameWidth lower-cases text rune by rune, keeping any rune whose
// lower case has another UTF-8 width, so byte offsets match the original.
func lowerSameWidth(text string) string {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return strings.Map(func(r rune) rune {
				if l := unicode.ToLower(r); utf8.RuneLen(l) == utf8.RuneLen(r) {
					return l
				}
				return r
			}, text)
		}
	}
	return strings.ToLower(text)
}

// skeleton reduces lower-cased text to what survives the usual filter
// dodges: separators splitting a word ("sk ype", "ven-mo") are dropped,
// lookalike characters folded ("wh4tsapp", "te1egram") and repeated
// letters collapsed ("whatsaaapp").
func skeleton(lower string) string {
	var b strings.Builder
	b.Grow(len(lower))
	var last rune
	for _, r := range lower {
		switch r {
		case ' ', '\t', '\n', '\r', '-', '.', '_', '*':
			continue
		case '4', '@':
			r = 'a'
		case '3':
			r = 'e'
		case '1', '!', '|', 'l':
			r = 'i'
		case '0':
			r = 'o'
		case '5', '$':
			r = 's'
		case '7':
			r = 't'
		case '9':
			r = 'g'
		}
		if r != last {
			b.WriteRune(r)
			last = r
		}
	}
	return b.String()
}

func containsAny(s string, needles []string) bool {
	for _, n := range needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// has is a need: the lower-cased message contains one of the literals.
func has(literals ...string) func(message) bool {
	return func(m message) bool { return containsAny(m.lower, literals) }
}

// mentions is a need: the message's skeleton contains one of the words'
// skeletons, so split, lookalike and stretched spellings pass too. For the
// names people disguise; ordinary words use has or hasWord.
func mentions(words ...string) func(message) bool {
	skeletons := make([]string, len(words))
	for i, w := range words {
		skeletons[i] = skeleton(w)
	}
	return func(m message) bool { return containsAny(m.skeleton, skeletons) }
}

func either(a, b func(message) bool) func(message) bool {
	return func(m message) bool { return a(m) || b(m) }
}

func both(a, b func(message) bool) func(message) bool {
	return func(m message) bool { return a(m) && b(m) }
}

// hasWord is a need: the message has one of the words, as a whole word.
func hasWord(words string) func(message) bool {
	ws := wordSetOf(words)
	return func(m message) bool { return ws.anyIn(m.lower) }
}

func hasDigit(m message) bool { return strings.ContainsAny(m.lower, "0123456789") }

// re compiles a pattern once, at package initialisation.
func re(pattern string) *regexp.Regexp { return regexp.MustCompile(pattern) }

// patterns is a list of regexps used as one. It lets a long alternation be
// split into parts that each stay on Go's fast matcher.
type patterns []*regexp.Regexp

func anyOf(exprs ...string) patterns {
	ps := make(patterns, len(exprs))
	for i, e := range exprs {
		ps[i] = re(e)
	}
	return ps
}

func (ps patterns) MatchString(s string) bool {
	for _, p := range ps {
		if p.MatchString(s) {
			return true
		}
	}
	return false
}

// FindAllStringIndex returns the matches of every part; DetectOffsite
// sorts them and drops overlaps.
func (ps patterns) FindAllStringIndex(s string, n int) [][]int {
	var all [][]int
	for _, p := range ps {
		all = append(all, p.FindAllStringIndex(s, n)...)
	}
	return all
}

// alt joins alternatives into a non-capturing group.
func alt(alternatives ...string) string { return `(?:` + strings.Join(alternatives, `|`) + `)` }

// splittable matches a name also when split by a space or punctuation
// ("ven-mo", "pay pal"), a common way to dodge filters.
func splittable(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 {
			b.WriteString(`[\s._*-]?`)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lookalikes are the digits and symbols swapped for letters to dodge filters.
var lookalikes = map[rune]string{'a': `[a4@]`, 'e': `[e3]`, 'i': `[i1!]`, 'l': `[l1]`, 'o': `[o0]`, 's': `[s5]`, 't': `[t7]`, 'g': `[g9]`}

// lookalike is splittable that also accepts lookalike characters and
// doubled letters ("sk ype", "te1egram", "skyype", "d1sc0rd").
func lookalike(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 {
			b.WriteString(`[\s._*-]?`)
		}
		if class, ok := lookalikes[r]; ok {
			b.WriteString(class + `+`)
		} else {
			b.WriteRune(r)
			b.WriteString(`+`)
		}
	}
	return b.String()
}

// --- vocabulary -------------------------------------------------------------

const (
	apos = `['’]?`
	// the platform, by name or by reference ("the app" alone is too often
	// UI talk: "click outside the app")
	platformRef = `(?:(?:this|the)\s+(?:platform|site|marketplace)|this\s+(?:website|app)|upwork|fiverr|freelancer(?:\.com)?|toptal|peopleperhour|workana)`
)

// platformMentioned gates the rules that need the platform named.
var platformMentioned = has("platform", "plataforma", "plateforme", "piattaforma", "plattform", "site", "this app",
	"upwork", "fiverr", "freelancer", "toptal", "peopleperhour", "workana", "escrow", "milestone")

// Messaging apps. Distinctive names need a light contact cue ("add me on",
// "my", ": @handle"); names that are also common words need a strong one.
var (
	// WhatsApp misspelt: "whatsap", "watsapp", "what's app", "whatapp", "wh4tsapp"
	whatsApp = `w+h?[a4@]+t+(?:['’]?s+[\s._*-]?)?[a4@]+p+`
	appNames = alt(whatsApp, `wsp`, `wpp`, `wasap`, `guasap`, `wa\.me`, lookalike("telegram"), `tele?gr[ae]m+`, `t\.me`,
		lookalike("skype"), `skipe`, `we-?chat`, lookalike("viber"), lookalike("discord"), lookalike("snapchat"),
		lookalike("instagram"), `kik`, `zalo`, `kakao(?:talk)?`, `slack`, `line\s+(?:app|id)`, `(?:fb|facebook)\s*messenger`,
		`imessage`, `facetime`, `threema`, `hangouts`, `google\s+(?:chat|meet)`, `(?:ms|microsoft)\s+teams`)
	appMentioned = either(has("t.me", "wa.me"), mentions("whatsap", "watsap", "whatap", "wsp", "wpp", "wasap", "guasap", "telegr", "telgr",
		"skype", "skipe", "wechat", "viber", "discord", "snapchat", "instagram", "kik", "zalo", "kakao", "slack", "lineapp",
		"lineid", "messenger", "imessage", "facetime", "threema", "hangouts", "googlechat", "googlemeet", "teams"))
	// plain spellings, for "let's move this to telegram"
	plainAppNames      = alt(whatsApp, `wsp`, `wpp`, `telegram`, `skype`, `we-?chat`, `viber`, `discord`, `snapchat`, `instagram`, `insta`, `signal`, `slack`, `messenger`, `imessage`, `facetime`, `teams`, `zoom`, `kik`, `zalo`, `kakao(?:talk)?`)
	commonAppWords     = alt(`signal`, `snap`, `insta`, `ig`, `tg`, `imo`, `messenger`, `zap(?:zap)?`, `zoom`, `teams`, `linkedin`, `twitter`, `tiktok`)
	commonAppMentioned = hasWord("signal snap insta ig tg imo messenger zap zapzap zoom teams linkedin twitter tiktok")
)

// Payment methods: apps and wallets, then banks, crypto and gift cards.
var (
	payApps = alt(splittable("paypal"), splittable("venmo"), `zelle`, `cash\s?app`, `transferwise`, `wise\.com`,
		`western\s+union`, `moneygram`, splittable("payoneer"), `skrill`, `revolut`, `gcash`, `m-?pesa`, `paytm`, `phonepe`,
		`alipay`, `we-?chat\s+pay`, `(?:apple|google|samsung)\s+pay`, `gpay`, `bizum`, `mercado\s*pago`, `nequi`, `yape`,
		`payeer`, `perfect\s+money`, `webmoney`, `neteller`, `paysera`, `remitly`, `worldremit`, `xoom`)
	payBanksAndCrypto = alt(`iban`, `swift\s+code`, `routing\s+number`, `sort\s+code`, `bank\s+(?:transfer|wire|account|details)`,
		`wire\s+transfer`, `direct\s+(?:bank\s+)?deposit`, `e-?transfer`, `interac`, `transferencia`, `virement`,
		`sepa\s+(?:transfer|payment)`, `ach\s+(?:transfer|payment)`, splittable("bitcoin"), `btc`, `usdt`, `usdc`, `tether`,
		`ethereum`, `binance`, `litecoin`, `ltc`, `dogecoin`, `solana`, `monero`, `xmr`, `trc-?20`, `erc-?20`, `bep-?20`,
		`coinbase`, `metamask`, `trust\s+wallet`, `(?:crypto|btc|usdt|eth)\s+wallet`,
		`(?:amazon|itunes|apple|google\s+play|steam)\s+gift\s*cards?`, `gift\s*cards?`)
	payMentioned = mentions("paypal", "venmo", "zelle", "cashapp", "transferwise", "wisecom", "westernunion", "moneygram",
		"payoneer", "skrill", "revolut", "gcash", "mpesa", "paytm", "phonepe", "alipay", "wechatpay", "applepay", "googlepay",
		"samsungpay", "gpay", "bizum", "mercadopago", "nequi", "yape", "payeer", "perfectmoney", "webmoney", "neteller",
		"paysera", "remitly", "worldremit", "xoom", "iban", "swiftcode", "routingnumber", "sortcode", "bank", "wiretransfer",
		"deposit", "etransfer", "interac", "transferencia", "virement", "sepatransfer", "sepapayment", "achtransfer",
		"achpayment", "bitcoin", "btc", "usdt", "usdc", "tether", "ethereum", "binance", "litecoin", "ltc", "dogecoin",
		"solana", "monero", "xmr", "trc20", "erc20", "bep20", "coinbase", "metamask", "wallet", "giftcard")
	// also plain words: "it would be wise", "send the pix" (pictures)
	commonPayWords  = alt(`wise`, `pix`, `crypto`, `upi`)
	cryptoMentioned = mentions("usdt", "usdc", "btc", "bitcoin", "eth", "trc20", "erc20", "bep20", "tron", "trx", "wallet",
		"crypto", "tether", "binance", "bnb", "sol")
	// "pay me directly", "I'll pay you outside": a payment method and a
	// request to leave, both
	payOutside = re(`\bpay(?:ing|ment)?\s+(?:(?:me|you|him|her|us|it)\s+)?(?:directly|direct|outside|off[\s-]?(?:the\s+)?(?:platform|site))\b` +
		`|\b(?:pagar(?:te|me)?|pago|pague|pagamento|payer|paiement)\s+(?:(?:me|te|vous)\s+)?(?:directamente|directo|direto|diretamente|directement|por\s+fuera|por\s+fora)`)
	payOutsideMentioned = has("pay", "pagar", "pago", "pague", "pagamento", "paiement")
)

// --- rules ------------------------------------------------------------------

var rules = concat(emailRules, phoneRules, appRules, paymentRules, offPlatformRules)

func concat(lists ...[]rule) []rule {
	var all []rule
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}

var emailRules = []rule{
	// name@domain.tld
	{FlagEmail, has("@"), re(`[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}`), isAddress},
	// disguised: "john [at] gmail [dot] com", "pierre arobase orange point fr"
	{FlagEmail, disguisedAtMentioned, re(`\b[a-z0-9][a-z0-9._+-]*(?:\s+dot\s+[a-z0-9_+-]+)*` + atWord + `[a-z0-9-]+(?:` + dotWord + `[a-z0-9-]+)*?` + dotWord + tld + `\b`), isDisguisedAddress},
	// spaced out: "j o h n @ g m a i l . c o m"
	{FlagEmail, has("@"), re(`(?:\b[a-z0-9]\s){2,}[a-z0-9]?\s*@\s*(?:[a-z0-9]\s?){2,}\.\s?(?:[a-z]\s?){2,3}`), nil},
	// "john at gmail", no domain ending
	{FlagEmail, providerMentioned, re(`\b[a-z0-9._]+\s+(?:at|@)\s+(?:gmail|googlemail|yahoo|hotmail|outlook|proton(?:mail)?|icloud|aol|yandex|gmx)\b`), notCode},
	// "my gmail is davidk92"
	{FlagEmail, providerMentioned, re(`\b(?:gmail|yahoo|hotmail|outlook|protonmail|icloud)\b`), providerAsContact},
}

var phoneRules = []rule{
	// digit runs: "+44 7700 900123", "06 12 34 56 78", "212.555.0199"
	{FlagPhone, hasDigit, re(`(?:\+|\b00)?\(?\d[\d\s().\-]{6,}\d`), isPhone},
	// some digits spelled out: "415 five five five 0 one 9 two"
	{FlagPhone, nil, numberRuns{}, spelledDigits},
}

var appRules = []rule{
	{FlagMessagingApp, appMentioned, re(`\b` + appNames + `\b`), usedAsContact},
	{FlagMessagingApp, commonAppMentioned, re(`\b` + commonAppWords + `\b`), explicitlyAsContact},
	// invite and profile links: "t.me/andrii_dev", "wa.me/...", "discord.gg/..."
	{FlagMessagingApp, has(".me/", ".com/", "discord.gg/"), re(`\b(?:t\.me|telegram\.me|wa\.me|api\.whatsapp\.com/send|chat\.whatsapp\.com|m\.me|discord\.gg|discord\.com/invite|signal\.me|instagram\.com|snapchat\.com/add|line\.me)/[\w./?=+-]+`), nil},
	// short names with a handle: "my tg is @kris", "WA: +62 ..."
	{FlagMessagingApp, hasWord("tg ig wa dc"), re(`(?:\bmy\s+(?:tg|ig|wa|dc)\s*(?:is|:|id|handle)|\b(?:tg|ig|wa|dc)\s*:)\s*[@+]?\w+`), nil},
	// legacy Discord tags: "pixel#4821"
	{FlagMessagingApp, has("#"), re(`\b([a-z0-9_.]{2,32})#\d{4}\b`), isDiscordTag},
}

var paymentRules = []rule{
	{FlagPayment, payMentioned, anyOf(`\b`+payApps+`\b`, `\b`+payBanksAndCrypto+`\b`), usedForPayment},
	{FlagPayment, hasWord("wise pix crypto upi"), re(`\b` + commonPayWords + `\b`), plainWordForPayment},
	// Cash App $cashtag
	{FlagPayment, has("$"), re(`\$[a-z][a-z0-9_]{2,19}\b`), isCashtag},
	// crypto wallet addresses: TRON/TRC20, Bitcoin, Ethereum and EVM chains
	{FlagPayment, cryptoMentioned, re(`\b(?:t[1-9a-z]{33}|bc1[02-9ac-hj-np-z]{25,60}|[13][1-9a-z]{25,34}|0x[0-9a-f]{40})\b`), isWalletAddress},
	{FlagPayment, payOutsideMentioned, payOutside, notOnPlatform},
	{FlagPayment, has("cash", "efectivo", "dinheiro"), re(`\b(?:pay|paid|paying|pago|pagar|pague)\s+(?:you\s+|me\s+|te\s+)?(?:in\s+|en\s+|em\s+)?(?:cash|efectivo|dinheiro)\b`), notRefused},
}

var offPlatformRules = []rule{
	{FlagOffPlatform, payOutsideMentioned, payOutside, notOnPlatform},
	// "outside this site", "off the platform", "outside of Freelancer"
	{FlagOffPlatform, either(both(has("outside", "off", "away"), platformMentioned), has("outside here", "outside of here")),
		re(`\b(?:outside|off|away\s+from)\s+(?:of\s+)?` + platformRef + `|\boff[\s-]?platform\b|\boutside\s+(?:of\s+)?here\b`), leavingNotAway},
	// "skip the platform", "no need to go through Upwork", "instead of using Fiverr", "keep Upwork out of it"
	{FlagOffPlatform, both(has("skip", "bypass", "avoid", "leave", "ditch", "circumvent", "around", "need", "keep", "instead", "rather"), platformMentioned),
		anyOf(`\b(?:skip|bypass|avoid|leave|ditch|circumvent|go\s+around|no\s+need\s+(?:to|for)|(?:don`+apos+`t|do\s+not)\s+need|instead\s+of|rather\s+than)\s+(?:(?:using|going\s+through|go\s+through|use|through|via|on|paying)\s+)?`+platformRef,
			`\b(?:keep|leave)\s+`+platformRef+`\s+out\s+of\s+(?:it|this|the\s+(?:deal|loop|payment|picture)|our\s+\w+)\b`,
			`\b(?:skip|bypass|avoid|ditch|circumvent|no\s+need\s+(?:to|for)|instead\s+of|rather\s+than)\s+(?:(?:using|going\s+through|go\s+through|use|through|via|paying)\s+)?(?:the\s+)?(?:escrow|milestones?)\b`),
		platformAsNoun},
	// "without fiverr", "sin la plataforma", "sans passer par le site"
	{FlagOffPlatform, both(has("without", "w/o", "sin", "sem", "sans", "senza", "ohne"), platformMentioned),
		re(`(?:\bwithout|\bw/o|\bsin|\bsem|\bsans|\bsenza|\bohne)\s+(?:(?:going\s+through|passer\s+par|pasar\s+por|passar\s+pela?)\s+)?(?:(?:the|this|la|a|esta|essa|le|cette|die)\s+)?(?:platform|site|plataforma|plateforme|piattaforma|plattform|upwork|fiverr|freelancer|escrow)\b`), platformAsNoun},
	// "no middleman", "sem intermediário"
	{FlagOffPlatform, has("middle", "intermedi", "interméd"),
		re(`\b(?:no|without|cut\s+out\s+the|skip\s+the|sin|sem|sans)\s+(?:(?:the|a|any|el|o|un|l['’])\s*)?(?:middle\s?m[ae]n|intermediari[oa]s?|intermedi[aá]rios?|interm[ée]diaires?)\b`), notRefused},
	// off the platform in Spanish, Portuguese, French, Italian, German
	{FlagOffPlatform, has("fuera", "fora", "dehors", "hors", "fuori", "außerhalb"),
		re(`\b(?:fuera\s+de\s+la\s+plataforma|por\s+fuera|fora\s+da\s+plataforma|por\s+fora|en\s+dehors\s+(?:de\s+la\s+plateforme|du\s+site)|hors\s+(?:de\s+la\s+|du\s+)?(?:plateforme|site)|fuori\s+(?:dalla|della)\s+piattaforma|außerhalb\s+der\s+plattform)`), notRefused},
	// "contact me directly", "écrivez-moi directement", "me chama direto"
	{FlagOffPlatform, has("direct", "private", "personal", "outside", "offline"),
		re(`\b(?:contact|reach|email|e-mail|call|text|message|write|dm|ping|phone)\s+(?:me|us)\s+(?:directly|privately|personally|outside|off[\s-]?line)\b`), notOnPlatform},
	{FlagOffPlatform, has("direct", "diret"),
		re(`\b(?:[ée]crivez|[ée]cris|contactez|appelez)-moi\s+directement|\b(?:escr[ií]beme|cont[aá]ctame|ll[aá]mame)\s+(?:directo|directamente)|\bme\s+(?:chama|liga|escreve)\s+(?:direto|diretamente)`), notRefused},
	// "next projects we do directly", "working with me directly", "hire me directly", "go direct"
	{FlagOffPlatform, has("direct", "diret", "private", "outside"),
		re(`\b(?:deal|dealing|do|trade|transact|arrange)\s+(?:(?:this|things|business|everything)\s+)?(?:with\s+(?:me|you|us|each\s+other)\s+)?(?:directly|privately|outside)\b` +
			`|\b(?:work|working|talk|chat|communicate|collaborate|continue|invoice)\s+(?:(?:directly|privately)\s+with\s+(?:me|you|us|each\s+other)|with\s+(?:me|you|us|each\s+other)\s+(?:directly|privately|outside))\b` +
			`|\b(?:hire|pay|contract|book|invoice)\s+(?:you|me)\s+directly\b|\bjust\s+invoice\s+(?:you\s+|me\s+)?directly\b|\bgo(?:ing)?\s+direct\b`), dealingDirectly},
	{FlagOffPlatform, has("direct", "diret"),
		re(`\b(?:hacemos|hacerlo|hacer|trabajamos|trabajar|tratamos|tratar|negociamos|negociar|fazemos|fazer|trabalhamos|trabalhar|travailler|traiter)\s+(?:(?:lo|isso|ça)\s+)?(?:directo|directamente|direto|diretamente|directement)\b`), notRefused},
	// "let's move this to telegram", "continue via email", "take this elsewhere"
	{FlagOffPlatform, has("move", "take", "continue", "switch", "shift"),
		anyOf(moveConversation+`(?:(?:over\s+)?(?:to|on|onto|via)\s+(?:e-?mail|my\s+e-?mail|private|dms?|direct)|outside\s+(?:of\s+)?(?:`+platformRef+`|here))`,
			moveConversation+`(?:outside|elsewhere)\s*(?:$|[.,!?;:)]|(?:and|so|please|pls|then|instead|maybe|where|it`+apos+`s)\b)`,
			moveConversation+`(?:over\s+)?(?:to|on|onto|via)\s+`+plainAppNames),
		notRefused},
	// fee avoidance: "avoid the fees", "skip Upwork's commission", "para no pagar la comisión"
	{FlagOffPlatform, has("fee", "commission", "cut"),
		re(`\b(?:avoid|skip|bypass|dodge|save(?:\s+on)?|cut\s+out|(?:not|never|n't)\s+(?:want\s+to\s+)?pay(?:ing)?)\s+(?:the\s+|their\s+|those\s+|these\s+|all\s+(?:the\s+|those\s+)?)?(?:platform` + apos + `s?\s+|site` + apos + `s?\s+|upwork` + apos + `s?\s+|fiverr` + apos + `s?\s+|service\s+)?(?:fees?|commissions?|cut)\b`), feeAvoidance},
	{FlagOffPlatform, has("comisi", "comiss", "taxa"), re(`\b(?:no\s+pagar|sin|sem(?:\s+pagar)?|evitar)\s+(?:la\s+|a\s+)?(?:comisi[oó]n|comiss[aã]o|taxa)`), notRefused},
	// complaints that open the ask: "the fees here are ridiculous", "Upwork takes too much"
	{FlagOffPlatform, has("fee", "commission"),
		re(`\b(?:fees?|commissions?)\s+(?:here\s+|on\s+(?:here|this\s+platform|upwork|fiverr)\s+)?(?:is|are)\s+(?:too\s+(?:high|much)|ridiculous|crazy|insane|a\s+rip-?off|robbery|outrageous|absurd)`), notRefused},
	{FlagOffPlatform, both(has("takes", "charges", "keeps"), platformMentioned),
		re(`\b(?:upwork|fiverr|freelancer(?:\.com)?|this\s+platform)\s+(?:takes|charges|keeps)\s+(?:way\s+)?(?:too\s+much|a\s+lot|so\s+much)`), nil},
	{FlagOffPlatform, has("discount"), re(`\bdiscount\s+if\s+(?:we|you)\s+(?:deal|work|pay)\s+(?:directly|outside)`), nil},
}

// moveConversation: "move this", "continue the chat", "switch" before where to.
const moveConversation = `\b(?:move|take|continue|switch|shift)\s+(?:(?:this|it|things|our\s+\w+|(?:the|this)\s+(?:project|work|conversation|chat|payment|deal|talk|discussion))\s+)?`

// --- vetoes shared by the rules ---------------------------------------------

// buildWords: the name is a product being built, integrated or imitated.
var buildWords = wordSetOf(`api sdk bot bots clone webhook plugin library module checkout gateway sandbox oauth login
	button icon logo feature component endpoint scraper widget template theme ui ux design mockup screen dashboard
	backend frontend developer docs documentation store shop ecommerce commerce cart storefront page faq modal
	popup banner footer header embed handler test tests crash crashes field form input validate validation format
	regex schema parser column notification notifications alert alerts feed`)

// likeRef: "an app like WhatsApp", "looks like Telegram" (not "I'd like")
var likeRef = re(`\b(?:app|apps|something|site|one|feature|look|looks|similar|just|exactly|it|is|more|much)\s+like\b`)

func buildTalk(s string) bool {
	return buildWords.anyIn(s) || strings.Contains(s, "integrat") || strings.Contains(s, "app we") || likeRef.MatchString(s)
}

// reference: "Venmo-style feed", "Skype-like call": a design reference.
var reference = re(`^-?\s?(?:style|like|esque|inspired|type|clone)\b`)

// discussedNotUsed is true when the name is talked about as a product. A
// handle given after ':' or '@' ("Skype: nina.ux") is not product talk.
func discussedNotUsed(h hit, n int) bool {
	after := h.after(n)
	if i := strings.IndexAny(after, ":@"); i >= 0 {
		after = after[:i]
	}
	return buildTalk(h.before(30)) || buildTalk(after) || reference.MatchString(after)
}

// wordSet is a set of words, looked up by the words of a text: much
// faster than a regexp alternation of them. Apostrophes are dropped
// ("can't" is "cant").
type wordSet map[string]bool

func wordSetOf(list string) wordSet {
	ws := wordSet{}
	for _, w := range strings.Fields(list) {
		ws[w] = true
	}
	return ws
}

// anyIn is true when one of the words of s is in the set.
func (ws wordSet) anyIn(s string) bool {
	var word []byte
	for i := 0; i <= len(s); i++ {
		switch {
		case i < len(s) && s[i] == '\'':
			// "can't" is "cant"
		case strings.HasPrefix(s[i:], "’"):
			i += len("’") - 1
		case i < len(s) && (isWordByte(s[i]) || s[i] >= utf8.RuneSelf):
			word = append(word, s[i])
		default:
			if len(word) > 0 && ws[string(word)] {
				return true
			}
			word = word[:0]
		}
	}
	return false
}

var (
	negationWords  = wordSetOf("cant cannot wont dont doesnt shouldnt mustnt never not")
	negationPhrase = re(`\b(?:refuse\s+to|against\s+the\s+(?:rules|terms|tos))\b`)
	// rhetorical or polite negations that still propose the thing
	notReally = re(`\bwhy\s+(?:not|don` + apos + `t)\b|\b(?:don` + apos + `t|do\s+not)\s+(?:hesitate|forget|mind|worry)\b`)
	// "No WhatsApp please", "and no PayPal" (not Portuguese "no zap" = "on")
	noRightBefore  = re(`(?:^|\b(?:and|or|but|so|please|pls|thanks|sorry))\s*no\s+(?:more\s+)?$`)
	forbiddenAfter = re(`^[^.!?;\n]*\b(?:not\s+allowed|isn` + apos + `t\s+allowed|not\s+permitted|against\s+the\s+(?:rules|terms|tos)|prohibited|forbidden)\b`)
)

// clauseBefore returns the text from the start of the match's clause.
func clauseBefore(h hit) string {
	before := h.before(80)
	start := strings.LastIndexAny(before, ".!?;,\n:") + 1
	if i := strings.LastIndex(before, " but "); i >= 0 && i+len(" but") > start {
		start = i + len(" but")
	}
	return before[start:]
}

// refused is true when the clause declines the thing: "I can't share my
// WhatsApp", "don't ask me to use PayPal", "WhatsApp is not allowed here".
func refused(h hit) bool {
	clause := clauseBefore(h)
	negated := negationWords.anyIn(clause) || negationPhrase.MatchString(clause)
	return negated && !notReally.MatchString(clause) || noRightBefore.MatchString(clause) ||
		forbiddenAfter.MatchString(h.after(80))
}

func notRefused(h hit) bool { return !refused(h) }

// --- email ------------------------------------------------------------------

const (
	atWord  = `(?:\s*[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]\s*|\s+(?:at|arroba|arobase)\s+|\s+@\s*|@\s+)`
	dotWord = `(?:\s*[\[\(\{<]\s*(?:dot|\.|punto|ponto|point|punkt)\s*[\]\)\}>]\s*|\s+(?:dot|punto|ponto|point|punkt)\s+|\s*\.\s*)`
	// common top-level domains, for disguised addresses; a closed list keeps
	// file names like "checkout dot js" out
	tld = `(?:com|net|org|edu|gov|io|co|me|info|biz|dev|app|ai|xyz|online|site|pro|tech|email|uk|de|fr|es|it|pt|br|nl|be|ch|at|cz|pl|ru|ua|in|ca|au|us|mx|ar|cl|pe|jp|cn|kr|se|no|dk|fi|ie|gr|tr|ro|hu|sk|za|ng|ke|eg|ph|id|my|sg|nz|pk|bd|vn|th|il|ae|sa|lt|lv|ee|bg|hr|rs|si|kz|tw|hk)`
	// free mail providers
	mailProvider = `(?:gmail|googlemail|yahoo|hotmail|outlook|proton(?:mail)?|icloud|aol|yandex|gmx|seznam|mail\.ru|zoho)`
)

var (
	disguisedAtMentioned = either(has(" at ", "@"), mentions("(at)", "[at]", "{at}", "<at>", "arroba", "arobase"))
	providerMentioned    = mentions("gmail", "yahoo", "hotmail", "outlook", "proton", "icloud", "aol", "yandex", "gmx")

	codeContext = re("(?:`|=\\s*[\"']|\\b(?:const|let|var|def|import|from|select|insert|assert|expect|@\\w+\\()\\b|\\(\\s*[\"'])")
	// "ssh deploy@host", "postgres://user@host": a login, not a mailbox
	commandBefore = re(`\b(?:ssh|scp|sftp|rsync|ftp|psql|mysql)\s+(?:-\S+\s+)*$|://\S*$`)
	// RFC 2606/6761 names reserved for examples and tests: never a contact
	reservedDomain = re(`@(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|[a-z0-9-]+\.(?:test|example|invalid|localhost))$`)
	// git@github.com:owner/repo, user@host:path: an SSH remote, not a mailbox
	scpPath     = re(`^:[\w~/.-]`)
	bareAt      = re(`\sat\s`)
	spelledDot  = re(`[\[\(\{<]\s*(?:dot|\.|punto|ponto|point|punkt)|\s(?:dot|punto|ponto|point|punkt)\s`)
	providerRef = re(`\b` + mailProvider + `\b`)

	mailContactBefore = re(`\b(?:my|mi|meu|minha|mon|ma|me|contact|reach|e?-?mail|write|message|msg|ping|find|add|send|hit|dm|text)\b`)
	mailHandleAfter   = re(`^\s*(?:is\b|:|=|id\b|account|address)|^[^\s]*@`)
)

// notCode drops addresses that sit inside code or a command line.
func notCode(h hit) bool {
	before := h.before(20)
	return !codeContext.MatchString(before+"|"+h.after(3)) && !commandBefore.MatchString(before)
}

// isAddress keeps real-looking addresses: not in code, not an example
// domain, not an SSH remote.
func isAddress(h hit) bool {
	return notCode(h) && !reservedDomain.MatchString(h.match()) && !scpPath.MatchString(h.after(2)) &&
		!strings.HasPrefix(h.match(), "git@")
}

// isDisguisedAddress keeps "x at y dot z" when the disguise is deliberate:
// "available at amazon.com" (bare "at", real dot) is prose, not an address,
// unless the domain is a mail provider.
func isDisguisedAddress(h hit) bool {
	m := h.match()
	if bareAt.MatchString(m) && !spelledDot.MatchString(m) && !providerRef.MatchString(m) {
		return false
	}
	return isAddress(h)
}

// providerAsContact keeps a bare provider name given as an address: "my
// gmail is x", "email me on gmail: x"; not "the template breaks on Outlook".
func providerAsContact(h hit) bool {
	given := mailContactBefore.MatchString(h.before(25)) || mailHandleAfter.MatchString(h.after(25))
	return given && !discussedNotUsed(h, 20) && !refused(h)
}

// --- phone ------------------------------------------------------------------

var (
	digit = re(`\d`)
	// identifiers, prices and amounts: digit runs that are not phones
	notPhoneBefore = anyOf(
		`(?:#|\b(?:order|invoice|inv|ticket|ref|reference|id|po|sku|build|version|v|ver|release|tracking|case|item|issue|pr|commit|port|ip|account|acct|transaction|txn|timestamp|epoch|isbn|issn|ean|upc|gtin|serial|imei|iban|routing|sort\s+code|card|dispute|claim|license|licence|key|otp|pin|coupon|voucher|zip|postal|postcode|cep|vat|tax)(?:\s+(?:number|no\.?|num|nr|id|#|code))?\s*(?:is|was|=|:)?\W{0,3})$`,
		`\b(?:cpf|cnpj|nif|nie|dni|rfc|curp|ssn|ein|gst|pan|passport|project|milestone|job|contract|task|batch|lot|model|part|product|customer|client|user|member|profile|listing|proposal|offer|quote|receipt|payment|payout|refund|shipment|package|parcel|record|row|file|report|request|run)(?:\s+(?:number|no\.?|num|nr|id|#|code))?\s*(?:is|was|=|:)?\W{0,3}$`,
		`(?:[$€£¥]\s*|\b(?:usd|eur|gbp|brl|inr)\s*)$`)
	// amounts and quantities: "12 500 000 views", "1 250 000 ₽", "3 000 000 rows"
	notPhoneAfter = re(`^\s*(?:usd|eur|gbp|brl|inr|mxn|cad|aud|chf|rub|ngn|kes|zar|pln|czk|try|dollars|euros|reais|pesos|rupees|[€£$¥₹₽]|px|mm|cm|m\b|kg|g\b|km|ms|s\b|sec|secs|seconds|min|mins|minutes|h\b|hrs?|hours|days|k\b|million|billion|%|x\s*\d|,\d{2}\b|\.\d{2}\b|views|users|visitors|downloads|installs|followers|rows|records|items|units|pieces|words|characters|chars|lines|bytes|kb|mb|gb|tb|requests|req|tokens|points|steps|times|pages)`)
	// "<thing> number is", "part no.", "lot #": an identifier, unless the
	// thing is a phone or a person ("my number", "whatsapp number")
	identifierNumber = re(`\b([a-z]+)\s+(?:number|no\.?|nr|num|#|id|code)\s*(?:is|was|=|:)?\W{0,3}$`)
	phoneThing       = re(`^(?:phone|telephone|tel|mobile|cell|cellphone|contact|whatsapp|telegram|viber|signal|sms|my|your|his|her|our|their|the|a|this|same|personal|work|home|office|direct|new|other|landline|whats|wa|call|text)$`)
	// "number of users" is no phone cue; "number:" and "my number" are
	phoneContext = re(`\b(?:call|text|phone|tel|mobile|cell|cel|whats\s?app|telegram|viber|signal|sms|ring|contact|reach|número|numero|celular|tlf|teléfono|ligue|liga|llama|appelle|appelez)\b|\b(?:number|num|no\.?|nr)\b\s*(?:is\s*)?[:\-=]?\s*$|\+$`)

	// shapes of the run itself
	dateLike = re(`^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:\s+\d{1,2}[:.]\d{2})?$` + // 2026-11-25, 11.25.2026 23:59
		`|^(?:19|20)\d\d[./-](?:0?[1-9]|1[0-2])[./-](?:0?[1-9]|[12]\d|3[01])\b` + // a date opening the run
		`|^(?:0?[1-9]|[12]\d|3[01])[./\s-](?:0?[1-9]|[12]\d|3[01])[./\s-](?:19|20)\d\d\b`)
	compactDate = re(`^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[.\-_]\d+)?$`) // 20261125.3
	yearRange   = re(`^(?:19|20)\d\d\s?[-–/]\s?(?:19|20)\d\d$`)
	rangeParts  = re(`^([1-9]\d{0,5})\s?[-–]\s?([1-9]\d{0,5})$`)
	isbnLike    = re(`^97[89][\s-]?(?:\d[\s-]?){9}\d$`)
	ipLike      = re(`^\d{1,3}(?:\.\d{1,3}){3}$`)
	thousands   = re(`^\d{1,3}(?:,\d{3})+(?:\.\d+)?$`)
	clockStart  = re(`^\d{2}:\d{2}`)
	// shapes that are phones only with context: versions, "1 250 000",
	// "1234-5678-9012" chunks, ZIP+4 "62704-1234", Brazilian CPF "123.456.789-00"
	versionLike      = re(`^\d+(?:\.\d+){2,}$`)
	groupedThousands = re(`^\d{1,3}(?:[ .]\d{3}){2,}(?:,\d+)?$`)
	idShape          = re(`^\d{4}(?:[\s-]\d{4}){2,}$|^\d{5}-\d{4}$|^\d{3}\.\d{3}\.\d{3}-\d{2}$`)
)

// isPhone keeps digit runs that look like a phone number: 8 to 15 digits,
// not a date, price, version, IP, ISBN, range, identifier or quantity.
func isPhone(h hit) bool {
	s := strings.TrimRight(h.match(), " .-(")
	h.end = h.start + len(s)
	if h.start > 0 && isWordByte(h.text[h.start-1]) {
		return false // glued to a word: "ec2-3-120-55-2", "build-20261125"
	}
	n := len(digit.FindAllStringIndex(s, -1))
	if n < 8 || n > 15 {
		return false
	}
	if dateLike.MatchString(s) || compactDate.MatchString(s) || yearRange.MatchString(s) || isRange(s) ||
		isbnLike.MatchString(s) || ipLike.MatchString(s) || thousands.MatchString(s) {
		return false
	}
	before, after := h.before(30), h.after(30)
	if notPhoneAfter.MatchString(after) || notPhoneBefore.MatchString(before) || isIdentifier(before) {
		return false
	}
	context := phoneContext.MatchString(before) || phoneContext.MatchString(h.after(15))
	if (versionLike.MatchString(s) || groupedThousands.MatchString(s) || idShape.MatchString(s)) && !context {
		return false
	}
	if strings.HasPrefix(s, "+") || context {
		return true
	}
	// Without context: a grouped number, or a contiguous one starting with 0.
	grouped := strings.ContainsAny(s, " -().")
	return grouped && !clockStart.MatchString(s) || s[0] == '0' && n >= 10
}

// isRange is true for "1500-2000": two numbers of about the same size, the
// second larger, as budgets and estimates are written.
func isRange(s string) bool {
	m := rangeParts.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	a, b := m[1], m[2]
	return len(b)-len(a) <= 1 && len(a) <= len(b) && (len(a) < len(b) || a < b)
}

// isIdentifier is true after "<thing> number", unless the thing is a phone.
func isIdentifier(before string) bool {
	m := identifierNumber.FindStringSubmatch(before)
	return m != nil && !phoneThing.MatchString(m[1])
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_'
}

// numberWords are digits as people spell phone numbers out.
var numberWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields("zero oh one two three four five six seven eight nine " +
		"cero uno dos tres cuatro cinco seis siete ocho nueve um dois três quatro sete oito nove " +
		"un deux trois quatre cinq sept huit neuf") {
		numberWords[w] = true
	}
}

// numberRuns finds runs of three or more words that are digits or number
// words ("zero-seven-seven-zero-zero 900 654"), separated only by spaces,
// commas, dots or hyphens. A scanner: the equivalent regexp was the
// slowest rule by far.
type numberRuns struct{}

func (numberRuns) FindAllStringIndex(s string, _ int) [][]int {
	var runs [][]int
	runStart, runEnd, units := -1, -1, 0
	flush := func() {
		if units >= 3 {
			runs = append(runs, []int{runStart, runEnd})
		}
		runStart, units = -1, 0
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			if !strings.ContainsRune(" \t\n,.-", r) {
				flush()
			}
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !isWordRune(r) {
				break
			}
			j += size
		}
		if word := s[i:j]; numberWords[word] || isAllDigits(word) {
			if runStart < 0 {
				runStart = i
			}
			runEnd = j
			units++
		} else {
			flush()
		}
		i = j
	}
	flush()
	return runs
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// spelledDigits keeps runs of 7 to 15 digits of which at least three are
// spelled out.
func spelledDigits(h hit) bool {
	words, digits := 0, 0
	for _, w := range strings.FieldsFunc(h.match(), func(r rune) bool { return !isWordRune(r) }) {
		if numberWords[w] {
			words++
		} else {
			digits += len(w)
		}
	}
	total := words + digits
	return words >= 3 && total >= 7 && total <= 15
}

// --- messaging apps ---------------------------------------------------------

// foreignContactVerb: "pásame tu", "me chama no", "écris-moi sur", contact
// verbs in Spanish, Portuguese and French.
const foreignContactVerb = `\b(?:escr[ií]beme|h[aá]blame|agr[eé]game|m[aá]ndame|env[ií]ame|ll[aá]mame|cont[aá]ctame|p[aá]same|(?:me\s+)?(?:chama|manda|envia|adiciona|escreve|liga)|[ée]cris-moi|[ée]crivez-moi|envoie-moi|contacte[zr]?-moi|ajoute[zr]?-moi|appelle[zr]?-moi)\s+` +
	`(?:(?:un|uma|um)\s+(?:mensaje|mensagem|msg|message|oi)\s+)?(?:(?:por|al|en|a|no|na|pelo|pela|sur|par|via)\s+)?`

var (
	// just before the name: "add me on", "send me a message on", "my",
	// "tu", "do you have", "let's use", "let's move this to"
	contactBefore = anyOf(
		`\b(?:add|contact|reach|message|msg|text|call|ping|dm|talk|chat|write|find|hit|join|send|sms|speak|meet|connect|follow|hmu)\s+(?:me|us|you)?\s*[:,-]?\s*(?:up\s+)?(?:an?\s+(?:message|msg|text|dm|line|note)\s+)?(?:on|in|via|at|through|over)?\s*$`,
		`(?:\b(?:my|mi|meu|minha|mon|ma|your|ur|tu|su|seu|sua|ton|ta|votre)\s+|\b(?:on|via|through|over|in|en|por|pelo|pela|sur|par)\s+(?:an?\s+)?)$`,
		foreignContactVerb+`$`,
		`(?:\b(?:do|can|could)\s+(?:you|u|we)\s+(?:have|use|got)\s+|\b(?:are|r)\s+(?:you|u)\s+on\s+|\b(?:let`+apos+`s|we\s+can|can\s+we|could\s+we|shall\s+we|i\s+prefer|prefer\s+to)\s+(?:use|try|switch\s+to)\s+)$`,
		`\b(?:move|switch|take|continue|go|talk|chat|shift)\s+(?:(?:this|it|things|us|the\s+\w+|our\s+\w+)\s+)?(?:on|to|over\s+to|onto|in)\s+$`)
	// just after it: "... me", "... number", ": @handle", "DMs are open"
	contactAfter = re(`^\s*(?:me\b|live:|number|num\b|no\.?\s|nr\b|id\b|handle|username|user\s*name|is\b|:|@|\+?\d|account|group|call|chat\b|instead|please|pls|plz|dms?\b|inbox|direct\b|workspace|server|link|contact|voice|video|meeting|works\s+(?:better|best)|is\s+(?:easier|better|faster))`)
	// a stronger cue, for names that are also common words
	explicitBefore = re(`(?:\b(?:add|contact|reach|message|msg|text|call|ping|dm|hit|find|write|follow|hmu)\s+(?:me|us)\s+(?:up\s+)?(?:on|in|via|at|through|over)\s+|\b(?:i` + apos + `m|i\s+am|we` + apos + `re|we\s+are)\s+(?:also\s+)?on\s+|` + foreignContactVerb + `)$`)
	// "my snap is x", "add my insta." but not "my snap judgement"
	possessiveBefore = re(`\b(?:my|mi|meu|minha|your|ur|tu|su|seu|sua)\s+$`)
	endsPhrase       = re(`^\s*(?:$|[,.!?;)])`)
	// "my signal is weak": reception, not the app
	receptionAfter = re(`^\s*(?:is\s+)?(?:weak|bad|poor|strength|low|dropping|drops|keeps)`)
	// "WeChat Pay" is a payment method, not a chat
	payAfter = re(`^\s*pay\b`)
	// "pr#1234", "build#2041" are references, not Discord tags
	trackerWord = re(`^(?:pr|mr|issue|issues|bug|ticket|build|pipeline|run|job|task|story|pull|commit|order|invoice|item|step|no|nr|num|version|v|case)$`)
)

// usedAsContact keeps an app name offered as a channel to talk on, not one
// being built, integrated, discussed or declined.
func usedAsContact(h hit) bool {
	offered := contactAfter.MatchString(h.after(30)) || contactBefore.MatchString(h.before(40)) || bareQuestion(h)
	return offered && !payAfter.MatchString(h.after(5)) && !discussedNotUsed(h, 20) && !refused(h)
}

// bareQuestion: "whatsapp?", "telegram or skype?" asked on its own.
func bareQuestion(h hit) bool {
	return strings.HasPrefix(strings.TrimSpace(h.after(3)), "?") && len(strings.TrimSpace(h.before(15))) <= 12
}

// explicitlyAsContact is usedAsContact for names that are common words.
func explicitlyAsContact(h hit) bool {
	before, after := h.before(40), h.after(30)
	var offered bool
	if possessiveBefore.MatchString(before) {
		offered = contactAfter.MatchString(after) || endsPhrase.MatchString(after)
	} else {
		offered = explicitBefore.MatchString(before) || contactAfter.MatchString(after) && contactBefore.MatchString(before)
	}
	return offered && !receptionAfter.MatchString(h.after(20)) && !discussedNotUsed(h, 20) && !refused(h)
}

// isDiscordTag keeps legacy Discord tags (name#1234).
func isDiscordTag(h hit) bool {
	name, _, _ := strings.Cut(h.match(), "#")
	return !trackerWord.MatchString(name)
}

// --- payment methods --------------------------------------------------------

var (
	payContext = re(`\b(?:pay|paid|payment|pago|pagar|pague|paga|pagamento|paiement|payer|payez|zahl|send|sent|transfer|receive|money|cash|funds|invoice|wallet|address|account|fees?|directly|instead|outside|details|number|usd|eur|balance|envoy|envi|manda|mande|deposit)|\$`)
	// "PayPal: x@y", "Cash App: $tag", "Zelle me at 415...", "USDT (TRC20)
	// is easiest", "Western Union works for me"
	payHandleAfter = re(`^\s*(?:\([^)]{0,15}\)\s*)?(?::\s*[@$+]?\w|(?:id|tag|handle|e-?mail|account|username)\b|is\s+[@$]|is\s+\S+@|(?:me\s+)?(?:al|a|to|at|on|no)?\s*\+?\d[\d\s-]{6,}|me\b|works\s+(?:for\s+me|better|best)|f&f|friends\s*(?:and|&)\s*family|goods\s+and\s+services|(?:is|are|works?)\s+(?:\w+\s+)?(?:fine|ok|okay|easiest|easier|best|better|preferred|simplest|faster|quicker|good|great)\b)`)
	payPreference  = re(`\b(?:prefer|accept|take|use|using|via|through|by|with|over|only|my|your|have|got|an?)\s+$`)
	// withdrawing earnings to PayPal is the platform paying out
	payout = re(`\b(?:withdr[ae]w\w*|payouts?|pay\s+out)\b`)
	// "bank details in the platform settings", "pay through the platform as
	// usual": the method is the platform's own, unless it is being avoided
	platformInternal = re(`\b(?:on|in|via|through|from|to|by|into)\s+(?:the|this)\s+platform\b|\bplatform` + apos + `s?\s+(?:settings|wallet|balance|account|payouts?|escrow)\b`)
	platformAvoided  = re(`\b(?:not|n` + apos + `t|instead\s+of|rather\s+than|outside|off|without|skip|avoid)\s+(?:(?:on|in|via|through|from|to|by|into|of|using)\s+)?(?:the|this)\s+platform\b`)
	// "faço um pix", "by crypto", "my pix key": the plain word as a method
	plainPayBefore = re(`\b(?:via|through|with|by|on|over|use|using|to\s+my|my|your|in|por|pelo|com|um|uma|o|meu|minha|seu|sua|fa[çc]o|fazer|manda|mandar|envio)\s+$`)
	plainPayAfter  = re(`^\s*(?:key|chave|id\b|address|wallet|pra\b|para\b|transfer)`)
	cashAppNear    = re(`\bcash\s?app\b|\bcashtag\b`)
	cryptoWords    = re(`\b(?:usdt|usdc|btc|bitcoin|eth|ether|ethereum|trc-?20|erc-?20|bep-?20|tron|trx|wallet|crypto|tether|binance|bnb|sol|solana)\b`)
	// deploying or testing contracts: an address, but not one to pay
	contractWork = re(`\b(?:contract|deployed|deploy|testnet|sepolia|goerli|holesky|localhost|hardhat|tx|hash)\b`)
)

// usedForPayment keeps a payment method proposed for paying, not one being
// integrated into a product, used for payouts, or refused.
func usedForPayment(h hit) bool {
	before, after := h.before(40), h.after(40)
	proposed := payHandleAfter.MatchString(after) || payPreference.MatchString(before) || payContext.MatchString(before+" "+after)
	return proposed && !discussedNotUsed(h, 35) && !refused(h) && !paidThroughPlatform(h)
}

// paidThroughPlatform: payouts and methods that live inside the platform.
func paidThroughPlatform(h hit) bool {
	near := h.before(40) + " " + h.after(80)
	return payout.MatchString(near) || platformInternal.MatchString(near) && !platformAvoided.MatchString(near)
}

// plainWordForPayment keeps "wise", "pix", "crypto", "upi" only when used
// as a method: "pay by crypto", "faço um pix", "my pix key".
func plainWordForPayment(h hit) bool {
	before, after := h.before(40), h.after(40)
	proposed := plainPayAfter.MatchString(after) || plainPayBefore.MatchString(before) && payContext.MatchString(before+" "+after)
	return proposed && !discussedNotUsed(h, 25) && !refused(h)
}

// isCashtag keeps a $cashtag given next to Cash App.
func isCashtag(h hit) bool {
	return cashAppNear.MatchString(h.before(40)) && notCode(h)
}

// isWalletAddress keeps a crypto address given where crypto is the
// payment, not a contract address in development talk.
func isWalletAddress(h hit) bool {
	return cryptoWords.MatchString(h.text) && !contractWork.MatchString(h.text) && digit.MatchString(h.match())
}

// --- off-platform requests --------------------------------------------------

var (
	// "I'll be off the platform this weekend": being away, not leaving
	beingAway = re(`\b(?:be|am|` + apos + `m|is|are|was|were|been|being)\s+$`)
	// "pay directly via the platform": staying on it
	onPlatformAfter = re(`^\s*(?:(?:via|through|on|in|into|using|to|from|by)\s+(?:the\s+|this\s+)?(?:platform|site|escrow|milestones?|app|chat|thread|inbox)|here)\b`)
	// "work directly on main": a place, not a channel
	placeAfter = re(`^\s+(?:on|in|into|to|from|at|inside|within)\b|^\s+(?:of\s+)?(?:office|business|working|work)\s+hours`)
	// "to avoid double fees, let's merge milestones here": stays on platform
	staysOnPlatform = re(`\b(?:here|milestones?|on\s+(?:the|this)\s+platform|(?:via|through)\s+(?:the|this)\s+platform)\b`)
	// what may follow "skip the platform" when the platform is the thing
	// skipped, not a modifier ("skip the platform intro screen")
	phraseGoesOn = re(`^\s*(?:$|[.,!?;:)]|(?:and|or|but|for|to|so|this|next|from|now|entirely|altogether|completely|please|pls|with|if|because|since|then|on|in|at|we|i|you|let` + apos + `s|anymore|here|it|out|te|y|e|et|para|pour|pra|que|porque|car|ya|já|así|assim)\b)`)
)

func leavingNotAway(h hit) bool { return !beingAway.MatchString(h.before(20)) && !refused(h) }

func notOnPlatform(h hit) bool { return !refused(h) && !onPlatformAfter.MatchString(h.after(30)) }

func dealingDirectly(h hit) bool { return notOnPlatform(h) && !placeAfter.MatchString(h.after(30)) }

func feeAvoidance(h hit) bool { return !refused(h) && !staysOnPlatform.MatchString(h.text) }

// platformAsNoun keeps "skip the platform", "without Upwork", not "skip
// the platform intro screen" or "without the platform fee".
func platformAsNoun(h hit) bool { return !refused(h) && phraseGoesOn.MatchString(h.after(20)) }
