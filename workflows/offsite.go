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

// rule is one pattern of a kind. Patterns run on the lower-cased message,
// so they are written in lower case and without (?i) (case folding makes
// Go's regexp several times slower).
type rule struct {
	kind string
	// need lists space-free literals one of which must occur in the
	// compacted message (see compact) for the pattern to be worth running:
	// DetectOffsite runs on every posted message and most mention nothing.
	need    []string
	pattern *regexp.Regexp
	// keep, if set, decides on a match given the text around it.
	keep func(h hit) bool
}

// hit is a candidate match: the lower-cased message and the span.
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
	compacted := compact(lower)
	out := []Flag{}
	for _, r := range rules {
		if !containsAny(compacted, r.need) {
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

// lowerSameWidth lower-cases text rune by rune, keeping any rune whose
// lower case has another UTF-8 width, so byte offsets match the original.
func lowerSameWidth(text string) string {
	ascii := true
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(text)
	}
	return strings.Map(func(r rune) rune {
		if l := unicode.ToLower(r); utf8.RuneLen(l) == utf8.RuneLen(r) {
			return l
		}
		return r
	}, text)
}

// compact drops spaces and the separators used to split words ("sk ype",
// "ven-mo", "pay.pal"), so rule hints also catch split spellings.
func compact(lower string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '-', '.', '_', '*':
			return -1
		}
		return r
	}, lower)
}

func containsAny(s string, needles []string) bool {
	if len(needles) == 0 {
		return true
	}
	for _, n := range needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// re compiles a pattern once, at package initialisation.
func re(pattern string) *regexp.Regexp { return regexp.MustCompile(pattern) }

// alt joins alternatives into a non-capturing group.
func alt(alternatives ...string) string { return `(?:` + strings.Join(alternatives, `|`) + `)` }

// splittable matches a name also when split by a space or punctuation
// ("sk ype", "ven-mo", "pay pal"), a common way to dodge filters.
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
// doubled letters ("te1egram", "skyype", "d1sc0rd").
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

const (
	apos = `['’]?`
	// number words as people spell phone numbers out
	numWord = `(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|um|dois|três|quatro|sete|oito|nove|un|deux|trois|quatre|cinq|sept|huit|neuf)`
	// the platform, by name or by reference
	platformRef = `(?:(?:this|the)\s+(?:platform|site|marketplace)|this\s+(?:website|app)|upwork|fiverr|freelancer(?:\.com)?|toptal|peopleperhour|workana)`
	// free mail providers
	mailProvider = `(?:gmail|googlemail|yahoo|hotmail|outlook|proton(?:mail)?|icloud|aol|yandex|gmx|seznam|mail\.ru|zoho)`
	// common top-level domains, for disguised addresses ("x at y dot com");
	// a closed list keeps file names like "checkout dot js" out.
	tld = `(?:com|net|org|edu|gov|io|co|me|info|biz|dev|app|ai|xyz|online|site|pro|tech|email|uk|de|fr|es|it|pt|br|nl|be|ch|at|cz|pl|ru|ua|in|ca|au|us|mx|ar|cl|pe|jp|cn|kr|se|no|dk|fi|ie|gr|tr|ro|hu|sk|za|ng|ke|eg|ph|id|my|sg|nz|pk|bd|vn|th|il|ae|sa|lt|lv|ee|bg|hr|rs|si|kz|tw|hk)`
)

// Messaging apps. Distinctive names need a light contact context; common
// words ("signal", "snap") need an explicit one.
var (
	appNames = alt(whatsApp, `wsp`, `wpp`, `wasap`, `guasap`, `wa\.me`, lookalike("telegram"), `tele?gr[ae]m+`, `t\.me`,
		lookalike("skype"), `skipe`, `we-?chat`, lookalike("viber"), lookalike("discord"), lookalike("snapchat"),
		lookalike("instagram"), `kik`, `zalo`, `kakao(?:talk)?`, `slack`, `line\s+(?:app|id)`, `(?:fb|facebook)\s*messenger`,
		`imessage`, `facetime`, `threema`, `hangouts`, `google\s+(?:chat|meet)`, `(?:ms|microsoft)\s+teams`, `skype\s+id`)
	// WhatsApp misspelt: "whatsap", "watsapp", "what's app", "whatapp", "wh4tsapp"
	whatsApp       = `w+h?[a4@]+t+(?:['’]?s+[\s._*-]?)?[a4@]+p+`
	appHints       = []string{"wh", "wat", "wsp", "wpp", "wasap", "guasap", "wame", "tel", "t3l", "tme", "sk", "wechat", "vib", "v1b", "disc", "d1sc", "snap", "sn4p", "inst", "1nst", "kik", "zalo", "kakao", "slack", "line", "messenger", "imessage", "facetime", "threema", "hangouts", "google", "teams"}
	commonAppWords = alt(`signal`, `snap`, `insta`, `ig`, `tg`, `imo`, `messenger`, `zap(?:zap)?`, `zoom`, `teams`, `linkedin`, `twitter`, `tiktok`)
	commonAppHints = []string{"signal", "snap", "insta", "ig", "tg", "imo", "messenger", "zap", "zoom", "teams", "linkedin", "twitter", "tiktok"}
)

// Payment methods; "wise", "pix", "crypto" and "upi" are also plain words.
var (
	payNames = alt(splittable("paypal"), splittable("venmo"), `zelle`, `cash\s?app`, `transferwise`, `wise\.com`,
		`western\s+union`, `moneygram`, splittable("payoneer"), `skrill`, `revolut`, splittable("bitcoin"), `btc`, `usdt`,
		`usdc`, `tether`, `ethereum`, `binance`, `iban`, `swift\s+code`, `routing\s+number`, `sort\s+code`,
		`bank\s+(?:transfer|wire|account|details)`, `wire\s+transfer`, `direct\s+(?:bank\s+)?deposit`, `e-?transfer`,
		`interac`, `transferencia`, `virement`, `gcash`, `m-?pesa`, `paytm`, `phonepe`, `alipay`, `we-?chat\s+pay`,
		`(?:apple|google|samsung)\s+pay`, `gpay`, `bizum`, `mercado\s*pago`, `nequi`, `yape`, `payeer`, `perfect\s+money`,
		`webmoney`, `neteller`, `paysera`, `remitly`, `worldremit`, `xoom`, `sepa\s+(?:transfer|payment)`, `ach\s+(?:transfer|payment)`,
		`litecoin`, `ltc`, `dogecoin`, `solana`, `monero`, `xmr`, `trc-?20`, `erc-?20`, `bep-?20`, `coinbase`, `metamask`,
		`trust\s+wallet`, `(?:crypto|btc|usdt|eth)\s+wallet`, `(?:amazon|itunes|apple|google\s+play|steam)\s+gift\s*cards?`, `gift\s*cards?`)
	payHints        = []string{"paypal", "venmo", "zelle", "cashapp", "wise", "union", "moneygram", "payoneer", "skrill", "revolut", "bitcoin", "btc", "usdt", "usdc", "tether", "ethereum", "binance", "iban", "swift", "routing", "sortcode", "bank", "wire", "deposit", "transfer", "interac", "virement", "gcash", "pesa", "paytm", "phonepe", "alipay", "pay", "bizum", "mercado", "nequi", "yape", "payeer", "money", "neteller", "paysera", "remitly", "worldremit", "xoom", "sepa", "ach", "litecoin", "ltc", "doge", "solana", "monero", "xmr", "trc", "erc", "bep", "coinbase", "metamask", "wallet", "gift"}
	commonPayWords  = alt(`wise`, `pix`, `crypto`, `upi`)
	payOutside      = re(`\bpay(?:ing|ment)?\s+(?:(?:me|you|him|her|us|it)\s+)?(?:directly|direct|outside|off[\s-]?(?:the\s+)?(?:platform|site))\b|\b(?:pagar(?:te|me)?|pago|pague|pagamento|payer|paiement)\s+(?:(?:me|te|vous)\s+)?(?:directamente|directo|direto|diretamente|directement|por\s+fuera|por\s+fora)`)
	payOutsideHints = []string{"pay", "pag", "paie"}
)

var digits = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

var rules = []rule{
	// Email: plain addresses, disguised ones, spaced-out letters, and "my
	// gmail is ..." handles.
	{FlagEmail, []string{"@"}, re(`[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}`), isAddress},
	{FlagEmail, nil, re(`\b[a-z0-9][a-z0-9._+-]*(?:\s+dot\s+[a-z0-9_+-]+)*` + atWord + `[a-z0-9-]+(?:` + dotWord + `[a-z0-9-]+)*?` + dotWord + tld + `\b`), isDisguisedAddress},
	{FlagEmail, []string{"@"}, re(`(?:\b[a-z0-9]\s){2,}[a-z0-9]?\s*@\s*(?:[a-z0-9]\s?){2,}\.\s?(?:[a-z]\s?){2,3}`), nil},
	{FlagEmail, nil, re(`\b[a-z0-9._]+\s+(?:at|@)\s+(?:gmail|googlemail|yahoo|hotmail|outlook|proton(?:mail)?|icloud|aol|yandex|gmx)\b`), notCode},
	{FlagEmail, []string{"gmail", "yahoo", "hotmail", "outlook", "proton", "icloud"}, re(`\b(?:gmail|yahoo|hotmail|outlook|protonmail|icloud)\b`), providerAsContact},

	// Phone: digit runs, and runs where some digits are spelled out.
	{FlagPhone, digits, re(`(?:\+|\b00)?\(?\d[\d\s().\-]{6,}\d`), isPhone},
	{FlagPhone, nil, re(`\b(?:` + numWord + `|\d+)\b(?:[\s,.\-]+(?:` + numWord + `|\d+)\b){2,}`), spelledDigits},

	// Messaging apps offered as a channel, invite links, short names.
	{FlagMessagingApp, appHints, re(`\b` + appNames + `\b`), usedAsContact},
	{FlagMessagingApp, commonAppHints, re(`\b` + commonAppWords + `\b`), explicitlyAsContact},
	{FlagMessagingApp, []string{"tme/", "wame/", "whatsappcom", "mme/", "discordgg", "discordcom/invite", "signalme", "instagramcom/", "snapchatcom/add", "lineme/"},
		re(`\b(?:t\.me|telegram\.me|wa\.me|api\.whatsapp\.com/send|chat\.whatsapp\.com|m\.me|discord\.gg|discord\.com/invite|signal\.me|instagram\.com|snapchat\.com/add|line\.me)/[\w./?=+-]+`), nil},
	{FlagMessagingApp, []string{"tg", "ig", "wa", "dc"}, re(`(?:\bmy\s+(?:tg|ig|wa|dc)\s*(?:is|:|id|handle)|\b(?:tg|ig|wa|dc)\s*:)\s*[@+]?\w+`), nil},
	{FlagMessagingApp, []string{"#"}, re(`\b([a-z0-9_.]{2,32})#\d{4}\b`), isDiscordTag},

	// Payment methods proposed for paying; paying outside the platform.
	{FlagPayment, payHints, re(`\b` + payNames + `\b`), usedForPayment},
	{FlagPayment, []string{"wise", "pix", "crypto", "upi"}, re(`\b` + commonPayWords + `\b`), plainWordForPayment},
	{FlagPayment, []string{"$"}, re(`\$[a-z][a-z0-9_]{2,19}\b`), isCashtag},
	{FlagPayment, digits, re(`\b(?:t[1-9a-z]{33}|bc1[02-9ac-hj-np-z]{25,60}|[13][1-9a-z]{25,34}|0x[0-9a-f]{40})\b`), isWalletAddress},
	{FlagPayment, payOutsideHints, payOutside, notOnPlatform},
	{FlagPayment, []string{"cash"}, re(`\b(?:pay|paid|paying|pago|pagar|pague)\s+(?:you\s+|me\s+|te\s+)?(?:in\s+|en\s+|em\s+)?(?:cash|efectivo|dinheiro)\b`), notRefused},

	// Requests to leave the platform.
	{FlagOffPlatform, payOutsideHints, payOutside, notOnPlatform},
	{FlagOffPlatform, []string{"outside", "off", "away"}, re(`\b(?:outside|off|away\s+from)\s+(?:of\s+)?` + platformRef + `|\boff[\s-]?platform\b|\boutside\s+(?:of\s+)?here\b`), leavingNotAway},
	// "skip the platform", "no need to go through Upwork", "instead of using Fiverr"
	{FlagOffPlatform, []string{"skip", "bypass", "avoid", "leave", "ditch", "circumvent", "around", "noneed", "instead", "rather"},
		re(`\b(?:skip|bypass|avoid|leave|ditch|circumvent|go\s+around|no\s+need\s+(?:to|for)|instead\s+of|rather\s+than)\s+(?:(?:using|going\s+through|go\s+through|use|through|via|on|paying)\s+)?` + platformRef + `|\b(?:skip|bypass|avoid|ditch|circumvent|no\s+need\s+(?:to|for)|instead\s+of|rather\s+than)\s+(?:(?:using|going\s+through|go\s+through|use|through|via|paying)\s+)?(?:the\s+)?(?:escrow|milestones?)\b`), notAboutFee},
	// "the fees here are ridiculous": a complaint that opens the ask
	{FlagOffPlatform, []string{"fee", "commission"}, re(`\b(?:fees?|commissions?)\s+(?:here\s+|on\s+(?:here|this\s+platform|upwork|fiverr)\s+)?(?:is|are)\s+(?:too\s+(?:high|much)|ridiculous|crazy|insane|a\s+rip-?off|robbery|outrageous|absurd)`), notRefused},
	{FlagOffPlatform, []string{"direct", "private", "personal", "outside", "offline"}, re(`\b(?:contact|reach|email|e-mail|call|text|message|write|dm|ping|phone)\s+(?:me|us)\s+(?:directly|privately|personally|outside|off[\s-]?line)\b`), notRefused},
	{FlagOffPlatform, []string{"direct"}, re(`\b(?:[ée]crivez|[ée]cris|contactez|appelez)-moi\s+directement|\b(?:escr[ií]beme|cont[aá]ctame|ll[aá]mame)\s+(?:directo|directamente)|\bme\s+(?:chama|liga|escreve)\s+(?:direto|diretamente)`), notRefused},
	{FlagOffPlatform, []string{"direct", "private", "outside"}, re(`\b(?:deal|dealing|do|trade|transact|arrange)\s+(?:(?:this|things|business|everything)\s+)?(?:with\s+(?:me|you|us|each\s+other)\s+)?(?:directly|privately|outside)\b` +
		`|\b(?:work|working|talk|chat|communicate|collaborate|continue|invoice)\s+(?:(?:directly|privately)\s+with\s+(?:me|you|us|each\s+other)|with\s+(?:me|you|us|each\s+other)\s+(?:directly|privately|outside))\b` +
		`|\b(?:hire|pay|contract|book|invoice)\s+(?:you|me)\s+directly\b|\bjust\s+invoice\s+(?:you\s+|me\s+)?directly\b`), dealingDirectly},
	{FlagOffPlatform, []string{"direct"}, re(`\b(?:hacemos|hacerlo|hacer|trabajamos|trabajar|tratamos|tratar|negociamos|negociar|fazemos|fazer|trabalhamos|trabalhar|travailler|traiter)\s+(?:(?:lo|isso|ça)\s+)?(?:directo|directamente|direto|diretamente|directement)\b`), notRefused},
	{FlagOffPlatform, []string{"move", "take", "continue", "switch", "shift"}, re(`\b(?:move|take|continue|switch|shift)\s+(?:(?:this|it|things|our\s+\w+|the\s+(?:project|work|conversation|chat|payment|deal|talk|discussion))\s+)?(?:off\b|outside|elsewhere|(?:over\s+)?(?:to|on|onto|via)\s+(?:` + appNames + `|e-?mail|my\s+e-?mail|private|dms?|direct))`), notRefused},
	{FlagOffPlatform, []string{"fee", "commission", "cut"}, re(`\b(?:avoid|skip|bypass|dodge|save(?:\s+on)?|cut\s+out|(?:not|never|n't)\s+(?:want\s+to\s+)?pay(?:ing)?)\s+(?:the\s+|their\s+|those\s+|these\s+|all\s+(?:the\s+|those\s+)?)?(?:platform` + apos + `s?\s+|site` + apos + `s?\s+|upwork` + apos + `s?\s+|fiverr` + apos + `s?\s+|service\s+)?(?:fees?|commissions?|cut)\b`), feeAvoidance},
	{FlagOffPlatform, []string{"comisi", "comiss", "taxa"}, re(`\b(?:no\s+pagar|sin|sem(?:\s+pagar)?|evitar)\s+(?:la\s+|a\s+)?(?:comisi[oó]n|comiss[aã]o|taxa)`), notRefused},
	{FlagOffPlatform, []string{"without", "wo", "sin", "sem", "sans", "senza", "ohne"}, re(`(?:\bwithout|\bw/o|\bsin|\bsem|\bsans|\bsenza|\bohne)\s+(?:(?:going\s+through|passer\s+par|pasar\s+por|passar\s+pela?)\s+)?(?:(?:the|this|la|a|esta|essa|le|cette|die)\s+)?(?:platform|site|plataforma|plateforme|piattaforma|plattform|upwork|fiverr|freelancer|escrow)\b`), notAboutFee},
	{FlagOffPlatform, []string{"middle", "intermedi", "interméd"}, re(`\b(?:no|without|cut\s+out\s+the|skip\s+the|sin|sem|sans)\s+(?:(?:the|a|any|el|o|un|l['’])\s*)?(?:middle\s?m[ae]n|intermediari[oa]s?|intermedi[aá]rios?|interm[ée]diaires?)\b`), notRefused},
	{FlagOffPlatform, []string{"fuera", "fora", "dehors", "hors", "fuori", "außerhalb"}, re(`\b(?:fuera\s+de\s+la\s+plataforma|por\s+fuera|fora\s+da\s+plataforma|por\s+fora|en\s+dehors\s+(?:de\s+la\s+plateforme|du\s+site)|hors\s+(?:de\s+la\s+|du\s+)?(?:plateforme|site)|fuori\s+(?:dalla|della)\s+piattaforma|außerhalb\s+der\s+plattform)`), notRefused},
	{FlagOffPlatform, []string{"takes", "charges", "keeps"}, re(`\b(?:upwork|fiverr|freelancer(?:\.com)?|this\s+platform)\s+(?:takes|charges|keeps)\s+(?:too\s+much|a\s+lot|so\s+much|\d+\s?%)`), nil},
	{FlagOffPlatform, []string{"discount"}, re(`\bdiscount\s+if\s+(?:we|you)\s+(?:deal|work|pay)\s+(?:directly|outside)`), nil},
}

// --- vetoes shared by the rules -------------------------------------------

// buildContext: the name is a product being built, integrated or imitated.
var buildContext = re(`\b(?:api|sdk|bot|bots|clone|integrat\w*|webhook|plugin|library|module|checkout|gateway|sandbox|oauth|login|button|icon|logo|feature|app\s+we|component|endpoint|scraper|widget|template|theme|ui|ux|design|mockup|screen|dashboard|backend|frontend|developer|docs|documentation|like)\b`)

// reference: "Venmo-style feed", "Skype-like call": a design reference.
var reference = re(`^-?\s?(?:style|like|esque|inspired|type|clone)\b`)

// discussedNotUsed is true when the name is talked about as a product. A
// handle given after ':' or '@' ("Skype: nina.ux") is not product talk.
func discussedNotUsed(h hit, n int) bool {
	after := h.after(n)
	if i := strings.IndexAny(after, ":@"); i >= 0 {
		after = after[:i]
	}
	return buildContext.MatchString(h.before(30)) || buildContext.MatchString(after) || reference.MatchString(after)
}

var (
	clauseEnd = re(`[.!?;,\n:]|\bbut\b`)
	negation  = re(`\b(?:can` + apos + `t|cannot|can\s+not|won` + apos + `t|will\s+not|don` + apos + `t|do\s+not|doesn` + apos + `t|shouldn` + apos + `t|mustn` + apos + `t|never|not|refuse\s+to|against\s+the\s+(?:rules|terms|tos))\b`)
	// rhetorical or polite negations that still propose the thing
	notReally = re(`\bwhy\s+(?:not|don` + apos + `t)\b|\b(?:don` + apos + `t|do\s+not)\s+(?:hesitate|forget|mind|worry)\b`)
	// "No WhatsApp please", "and no PayPal" (not Portuguese "no zap" = "on")
	noRightBefore  = re(`(?:^|\b(?:and|or|but|so|please|pls|thanks|sorry))\s*no\s+(?:more\s+)?$`)
	forbiddenAfter = re(`^[^.!?;\n]*\b(?:not\s+allowed|isn` + apos + `t\s+allowed|not\s+permitted|against\s+the\s+(?:rules|terms|tos)|prohibited|forbidden)\b`)
)

// clauseBefore returns the text from the start of the match's clause.
func clauseBefore(h hit) string {
	before := h.before(80)
	if locs := clauseEnd.FindAllStringIndex(before, -1); len(locs) > 0 {
		before = before[locs[len(locs)-1][1]:]
	}
	return before
}

// refused is true when the clause declines the thing: "I can't share my
// WhatsApp", "don't ask me to use PayPal", "WhatsApp is not allowed here".
func refused(h hit) bool {
	clause := clauseBefore(h)
	return negation.MatchString(clause) && !notReally.MatchString(clause) || noRightBefore.MatchString(clause) ||
		forbiddenAfter.MatchString(h.after(80))
}

func notRefused(h hit) bool { return !refused(h) }

// --- email ------------------------------------------------------------------

const (
	atWord  = `(?:\s*[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]\s*|\s+(?:at|arroba|arobase)\s+|\s+@\s*|@\s+)`
	dotWord = `(?:\s*[\[\(\{<]\s*(?:dot|\.|punto|ponto|point|punkt)\s*[\]\)\}>]\s*|\s+(?:dot|punto|ponto|point|punkt)\s+|\s*\.\s*)`
)

var (
	codeContext = re("(?:`|=\\s*[\"']|\\b(?:const|let|var|def|import|from|select|insert|assert|expect|@\\w+\\()\\b|\\(\\s*[\"'])")
	// RFC 2606/6761 names reserved for examples and tests: never a contact.
	reservedDomain = re(`@(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|[a-z0-9-]+\.(?:test|example|invalid|localhost))$`)
	// git@github.com:owner/repo, user@host:path: an SSH remote, not a mailbox.
	scpPath     = re(`^:[\w~/.-]`)
	bareAt      = re(`\sat\s`)
	spelledDot  = re(`[\[\(\{<]\s*(?:dot|\.|punto|ponto|point|punkt)|\s(?:dot|punto|ponto|point|punkt)\s`)
	providerRef = re(`\b` + mailProvider + `\b`)
)

// notCode drops addresses that sit inside code (placeholders in a snippet).
func notCode(h hit) bool {
	return !codeContext.MatchString(h.before(20) + "|" + h.after(3))
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

var (
	mailContactBefore = re(`\b(?:my|mi|meu|minha|mon|ma|me|contact|reach|e?-?mail|write|message|msg|ping|find|add|send|hit|dm|text)\b`)
	mailHandleAfter   = re(`^\s*(?:is\b|:|=|id\b|account|address)|^[^\s]*@`)
)

// providerAsContact keeps a bare provider name given as an address: "my
// gmail is x", "email me on gmail: x"; not "the template breaks on Outlook".
func providerAsContact(h hit) bool {
	if discussedNotUsed(h, 20) || refused(h) {
		return false
	}
	return mailContactBefore.MatchString(h.before(25)) || mailHandleAfter.MatchString(h.after(25))
}

// --- phone ------------------------------------------------------------------

var (
	digit = re(`\d`)
	// identifiers, prices and amounts that are digit runs but not phones
	notPhoneBefore = re(`(?:#|\b(?:order|invoice|inv|ticket|ref|reference|id|po|sku|build|version|v|ver|release|tracking|case|item|issue|pr|commit|port|ip|account|acct|transaction|txn|timestamp|epoch|isbn|issn|ean|upc|gtin|serial|imei|iban|routing|sort\s+code|card|dispute|claim|license|licence|key|otp|pin|coupon|voucher|zip|postal|postcode|cep|vat|tax|cpf|cnpj|nif|nie|dni|rfc|curp|ssn|ein|gst|pan|passport)(?:\s+(?:number|no\.?|num|nr|id|#|code))?\s*(?:is|was|=|:)?\W{0,3}|[$€£¥]\s*|\b(?:usd|eur|gbp|brl|inr)\s*)$`)
	// amounts and quantities: "12 500 000 views", "1 250 000 ₽", "3 000 000 rows"
	notPhoneAfter = re(`^\s*(?:usd|eur|gbp|brl|inr|mxn|cad|aud|chf|rub|ngn|kes|zar|pln|czk|try|dollars|euros|reais|pesos|rupees|[€£$¥₹₽]|px|mm|cm|m\b|kg|g\b|km|ms|s\b|sec|secs|seconds|min|mins|minutes|h\b|hrs?|hours|days|k\b|m\b|million|billion|%|x\s*\d|,\d{2}\b|\.\d{2}\b|views|users|visitors|downloads|installs|followers|rows|records|items|units|pieces|words|characters|chars|lines|bytes|kb|mb|gb|tb|requests|req|tokens|points|steps|times|pages)`)
	// a date opening the run: "2026-11-25 10", "25.11.2026 14"
	dateLike  = re(`^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:\s+\d{1,2}[:.]\d{2})?$|^(?:19|20)\d\d[./-](?:0?[1-9]|1[0-2])[./-](?:0?[1-9]|[12]\d|3[01])\b|^(?:0?[1-9]|[12]\d|3[01])[./\s-](?:0?[1-9]|1[0-2])[./\s-](?:19|20)\d\d\b`)
	yearRange = re(`^(?:19|20)\d\d\s?[-–/]\s?(?:19|20)\d\d$`)
	// ID-shaped runs phones do not take: "1234-5678-9012" chunks, ZIP+4
	// "62704-1234", Brazilian CPF "123.456.789-00"
	idShape = re(`^\d{4}(?:[\s-]\d{4}){2,}$|^\d{5}-\d{4}$|^\d{3}\.\d{3}\.\d{3}-\d{2}$`)
	// "1 250 000", "12.500.000": thousands grouped by three, no phone context
	groupedThousands = re(`^\d{1,3}(?:[ .]\d{3}){2,}(?:,\d+)?$`)
	// "<thing> number is", "part no.", "lot #": an identifier, unless the thing
	// is a phone or a person ("my number", "whatsapp number")
	identifierNumber = re(`\b([a-z]+)\s+(?:number|no\.?|nr|num|#|id|code)\s*(?:is|was|=|:)?\W{0,3}$`)
	phoneThing       = re(`^(?:phone|telephone|tel|mobile|cell|cellphone|contact|whatsapp|telegram|viber|signal|sms|my|your|his|her|our|their|the|a|this|same|personal|work|home|office|direct|new|other|landline|whats|wa|call|text)$`)
	compactDate      = re(`^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[.\-_]\d+)?$`) // 20261125.3
	isbnLike         = re(`^97[89][\s-]?(?:\d[\s-]?){9}\d$`)
	ipLike           = re(`^\d{1,3}(?:\.\d{1,3}){3}$`)
	versionLike      = re(`^\d+(?:\.\d+){2,}$`)
	thousands        = re(`^\d{1,3}(?:,\d{3})+(?:\.\d+)?$`)
	clockStart       = re(`^\d{2}:\d{2}`)
	// "number of users" is no phone cue; "number:" and "my number" are
	phoneContext = re(`\b(?:call|text|phone|tel|mobile|cell|cel|whats\s?app|telegram|viber|signal|sms|ring|contact|reach|número|numero|celular|tlf|teléfono|ligue|liga|llama|appelle|appelez)\b|\b(?:number|num|no\.?|nr)\b\s*(?:is\s*)?[:\-=]?\s*$|\+$`)
	numWordRe    = re(numWord)
)

// isPhone keeps digit runs that look like a phone number: 8 to 15 digits,
// not a date, price, version, IP, ISBN, order number or measurement.
func isPhone(h hit) bool {
	s := strings.TrimRight(h.match(), " .-(")
	h.end = h.start + len(s)
	n := len(digit.FindAllStringIndex(s, -1))
	if n < 8 || n > 15 {
		return false
	}
	before, after := h.before(30), h.after(30)
	if notPhoneBefore.MatchString(before) || isIdentifier(before) || notPhoneAfter.MatchString(after) ||
		dateLike.MatchString(s) || compactDate.MatchString(s) || yearRange.MatchString(s) || isRange(s) ||
		isbnLike.MatchString(s) || ipLike.MatchString(s) || thousands.MatchString(s) {
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

var rangeParts = re(`^([1-9]\d{0,5})\s?[-–]\s?([1-9]\d{0,5})$`)

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

// spelledDigits keeps runs of 7 to 15 digits of which at least three are
// spelled out ("zero-seven-seven-zero-zero 900 654").
func spelledDigits(h hit) bool {
	s := h.match()
	words := len(numWordRe.FindAllStringIndex(s, -1))
	total := words + len(digit.FindAllStringIndex(s, -1))
	return words >= 3 && total >= 7 && total <= 15
}

// --- messaging apps ---------------------------------------------------------

var (
	// "add me on", "my", "tu", "let's move this to" just before the name
	contactBefore = re(`(?:\b(?:add|contact|reach|message|msg|text|call|ping|dm|talk|chat|write|find|hit|join|send|sms|speak|meet|connect|follow|hmu)\s+(?:me|us|you)?\s*(?:up\s+)?(?:on|in|via|at|through|over)?\s*` +
		`|\b(?:my|mi|meu|minha|mon|ma|your|ur|tu|su|seu|sua|ton|ta|votre)\s+` +
		`|\b(?:on|via|through|over|in|en|por|pelo|pela|sur|par)\s+(?:an?\s+)?` +
		`|` + foreignContactVerb +
		`|\b(?:do|can|could)\s+(?:you|we)\s+(?:have|use|got)\s+|\b(?:are|r)\s+(?:you|u)\s+on\s+` +
		`|\b(?:let` + apos + `s|we\s+can|can\s+we|could\s+we|shall\s+we|i\s+prefer|prefer\s+to)\s+(?:use|try|switch\s+to)\s+` +
		`|\b(?:move|switch|take|continue|go|talk|chat|shift)\s+(?:(?:this|it|things|us|the\s+\w+|our\s+\w+)\s+)?(?:on|to|over\s+to|onto|in)\s+)$`)
	// "pásame tu", "me chama no", "écris-moi sur": contact verbs in
	// Spanish, Portuguese and French
	foreignContactVerb = `\b(?:escr[ií]beme|h[aá]blame|agr[eé]game|m[aá]ndame|ll[aá]mame|cont[aá]ctame|p[aá]same|(?:me\s+)?(?:chama|manda|adiciona|escreve|liga)|[ée]cris-moi|[ée]crivez-moi|contacte[zr]?-moi|ajoute[zr]?-moi|appelle[zr]?-moi)\s+(?:(?:por|al|en|a|no|na|pelo|pela|sur|par|via)\s+)?`
	// "... me", "... number", ": @handle", "DMs are open" just after it
	contactAfter = re(`^\s*(?:me\b|number|num\b|no\.?\s|nr\b|id\b|handle|username|user\s*name|is\b|:|@|\+?\d|account|group|call|chat\b|instead|please|pls|plz|dms?\b|inbox|direct\b|workspace|server|link|contact|voice|video|meeting|works\s+(?:better|best)|is\s+(?:easier|better|faster))`)
	// a stronger cue, for names that are also common words
	explicitBefore = re(`(?:\b(?:add|contact|reach|message|msg|text|call|ping|dm|hit|find|write|follow|hmu)\s+(?:me|us)\s+(?:up\s+)?(?:on|in|via|at|through|over)\s+|\b(?:my|mi|meu|minha|your|ur|tu|su|seu|sua)\s+|` + foreignContactVerb + `)$`)
	// "my signal is weak": reception, not the app
	receptionAfter = re(`^\s*(?:is\s+)?(?:weak|bad|poor|strength|low|dropping|drops|keeps)`)
)

// payAfter: "WeChat Pay" is a payment method, not a chat.
var payAfter = re(`^\s*pay\b`)

// usedAsContact keeps an app name offered as a channel to talk on, not one
// being built, integrated, discussed or declined.
func usedAsContact(h hit) bool {
	if discussedNotUsed(h, 20) || refused(h) || payAfter.MatchString(h.after(5)) {
		return false
	}
	return contactBefore.MatchString(h.before(40)) || contactAfter.MatchString(h.after(30))
}

// explicitlyAsContact is usedAsContact for names that are common words.
func explicitlyAsContact(h hit) bool {
	if discussedNotUsed(h, 20) || refused(h) || receptionAfter.MatchString(h.after(20)) {
		return false
	}
	before, after := h.before(40), h.after(30)
	return explicitBefore.MatchString(before) || contactBefore.MatchString(before) && contactAfter.MatchString(after)
}

// trackerWord: "pr#1234", "build#2041" are references, not Discord tags.
var trackerWord = re(`^(?:pr|mr|issue|issues|bug|ticket|build|pipeline|run|job|task|story|pull|commit|order|invoice|item|step|no|nr|num|version|v|case)$`)

// isDiscordTag keeps legacy Discord tags (name#1234).
func isDiscordTag(h hit) bool {
	name, _, _ := strings.Cut(h.match(), "#")
	return !trackerWord.MatchString(name)
}

// --- payment methods --------------------------------------------------------

var (
	payContext = re(`\b(?:pay|paid|payment|pago|pagar|pague|paga|pagamento|paiement|payer|payez|zahl|send|sent|transfer|receive|money|cash|funds|invoice|wallet|address|account|fees?|directly|instead|outside|details|number|usd|eur|balance|envoy|envi|manda|mande|deposit)|\$`)
	// "PayPal: x@y", "Cash App: $tag", "ven-mo: @name", "USDT (TRC20) is easiest"
	payHandleAfter = re(`^\s*(?:\([^)]{0,15}\)\s*)?(?::\s*[@$+]?\w|(?:id|tag|handle|e-?mail|account|username)\b|is\s+[@$]|is\s+\S+@|(?:al|a|to|at|on|no)?\s*\+?\d[\d\s-]{6,}|f&f|friends\s*(?:and|&)\s*family|goods\s+and\s+services|(?:is|are|works?)\s+(?:\w+\s+)?(?:fine|ok|okay|easiest|easier|best|better|preferred|simplest|faster|quicker|good|great)\b)`)
	payPreference  = re(`\b(?:prefer|accept|take|use|using|via|through|by|with|over|only|my|your|have|got|an?)\s+$`)
	// withdrawing earnings to PayPal is the platform paying out
	payout = re(`\bwithdr[ae]w`)
	// "faço um pix", "by crypto", "my pix key": the plain word as a method
	plainPayBefore = re(`\b(?:via|through|with|by|on|over|use|using|to\s+my|my|your|in|por|pelo|com|um|uma|o|meu|minha|seu|sua|fa[çc]o|fazer|manda|mandar|envio)\s+$`)
	plainPayAfter  = re(`^\s*(?:key|chave|id\b|address|wallet|pra\b|para\b|transfer)`)
)

// usedForPayment keeps a payment method proposed for paying, not one being
// integrated into a product, used for payouts, or refused.
func usedForPayment(h hit) bool {
	if discussedNotUsed(h, 35) || refused(h) || payout.MatchString(clauseBefore(h)) {
		return false
	}
	before, after := h.before(40), h.after(40)
	return payContext.MatchString(before+" "+after) || payHandleAfter.MatchString(after) || payPreference.MatchString(before)
}

// plainWordForPayment keeps "wise", "pix", "crypto", "upi" only when used
// as a method: "pay by crypto", "faço um pix", "my pix key".
func plainWordForPayment(h hit) bool {
	if discussedNotUsed(h, 25) || refused(h) {
		return false
	}
	before, after := h.before(40), h.after(40)
	return plainPayAfter.MatchString(after) ||
		plainPayBefore.MatchString(before) && payContext.MatchString(before+" "+after)
}

var cashAppNear = re(`\bcash\s?app\b|\bcashtag\b`)

// isCashtag keeps a $cashtag given next to Cash App.
func isCashtag(h hit) bool {
	return cashAppNear.MatchString(h.before(40)) && notCode(h)
}

var (
	cryptoWords = re(`\b(?:usdt|usdc|btc|bitcoin|eth|ether|ethereum|trc-?20|erc-?20|bep-?20|tron|trx|wallet|crypto|tether|binance|bnb|sol|solana)\b`)
	// deploying or testing contracts: an address, but not one to pay
	contractWork = re(`\b(?:contract|deployed|deploy|testnet|sepolia|goerli|holesky|localhost|hardhat|tx|hash)\b`)
)

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
	onPlatformAfter = re(`^\s*(?:(?:via|through|on|in|into|using)\s+(?:the\s+|this\s+)?(?:platform|site|escrow|milestones?|app)|here)\b`)
	// "work directly on main": a place, not a channel
	placeAfter = re(`^\s+(?:on|in|into|to|from|at|inside|within)\b|^\s+(?:of\s+)?(?:office|business|working|work)\s+hours`)
	// "to avoid double fees, let's merge milestones here": stays on platform
	staysOnPlatform = re(`\b(?:here|milestones?|on\s+(?:the|this)\s+platform|(?:via|through)\s+(?:the|this)\s+platform)\b`)
	feeAfter        = re(`^\s*(?:` + apos + `s\s+)?(?:fees?|commission|cut)\b`)
)

func leavingNotAway(h hit) bool { return !beingAway.MatchString(h.before(20)) && !refused(h) }

func notOnPlatform(h hit) bool {
	return !refused(h) && !onPlatformAfter.MatchString(h.after(30))
}

func dealingDirectly(h hit) bool { return !refused(h) && !placeAfter.MatchString(h.after(30)) }

func feeAvoidance(h hit) bool { return !refused(h) && !staysOnPlatform.MatchString(h.text) }

// notAboutFee: "the price without the platform fee" is arithmetic.
func notAboutFee(h hit) bool { return !refused(h) && !feeAfter.MatchString(h.after(20)) }
