package workflows

import "testing"

// benchMessages are typical chat messages: most are ordinary project talk,
// a few try to move the conversation or the payment off the platform.
var benchMessages = []string{
	"Hi! I uploaded the revised mockups for the checkout page, let me know what you think.",
	"The total is $1,250.00 for all three milestones, deadline is 2026-11-25.",
	"Upgraded to v2.10.3 and the crash is gone; the api returns 429 after 1000 req/min.",
	"email me at raj.patel1990@gmail.com or whatsapp +91 98200 12345, let's continue there and avoid the fees",
	"my telegram @nikos_dev, send the USDT there and I'll deliver outside the platform",
	"Whatsapp Business API webhook returns 401, can you check the token?",
	"I already paid you via the platform on Nov 25, check your transactions",
	"```python\n@app.route('/api/users/<int:user_id>')\ndef get_user(user_id):\n    return jsonify(db.get(user_id))\n```",
}

func BenchmarkDetectOffsite(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range benchMessages {
			DetectOffsite(m)
		}
	}
}
