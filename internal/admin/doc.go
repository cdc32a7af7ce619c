// Package admin is milter91's management HTTP API: the Decree 91/2020
// consent and refusal registry (Art. 11, 13.4, 20), the header archive
// search (Art. 10.6), the statistics report (Art. 10.7), the content
// classifier's learning, health and reload. The daemon serves it on a loopback address (Serve), over TLS
// when a certificate is configured.
//
// # Conventions
//
// Every request carries "Authorization: Bearer <token>" (RFC 6750 §2.1),
// the token read from a file by LoadToken. Without it the answer is 401
// with WWW-Authenticate: Bearer realm="milter91" and nothing else runs.
//
// Bodies are JSON (Content-Type: application/json, at most 1 MiB, one
// object, unknown fields refused) except the CSV imports (Content-Type:
// text/csv, at most 64 MiB). Times are RFC 3339; answers give them in UTC.
// Text fields must be UTF-8 without NUL (what PostgreSQL can store).
//
// The registry listings are paged: limit (1..1000, default 100) records
// per answer, {"items": [record, …], "next": CURSOR or null}, in key
// order. To read on, repeat the request with cursor=CURSOR (an opaque
// URL-safe string; keep the other parameters). A page starts after the
// last key of the one before, so records added or removed meanwhile
// never repeat or skip the others.
// Query parameters other than the documented ones, a parameter given
// twice and an empty one are refused (400), so that a typo cannot widen
// a selection.
// The since and until parameters take RFC 3339 or YYYY-MM-DD: a date is
// that day's UTC midnight for since and the next midnight for until, so
// since=2026-03-01&until=2026-03-01 is the whole day; since is
// inclusive, until exclusive.
//
// Errors answer {"error": "reason"} with:
//
//	400 bad input, with the precise reason
//	401 missing or wrong token
//	404 unknown path, nothing to revoke, or a feature not configured
//	    ({"error": "the header archive is not configured"})
//	405 wrong method, with an Allow header
//	413 body over its limit
//	415 wrong Content-Type
//	429 a learning limit reached (POST /v1/learn)
//	500 store or reload failure, with its error text
//
// # Endpoints
//
// GET /v1/health
//
//	→ 200 {"status": "ok", "details": {"part": "state", …}}
//	→ 503 the same with "status": "degraded"
//
// POST /v1/reload
//
//	Re-reads configuration and rules.
//	→ 200 {"reloaded": true, "restart_needed": ["admin", …]}: changed
//	  settings that only a restart applies (listen, dns, the stores, …)
//	→ 500 {"error": "reload: …"}; the running configuration stays.
//
// GET /v1/consents?advertiser=DOMAIN&recipient=ADDR&limit=N&cursor=CURSOR
//
//	All optional. → 200 {"items": [consent, …], "next": CURSOR|null}
//	ordered by advertiser, recipient (byte-wise).
//	A consent: {"advertiser": "example.com", "recipient": "user@example.net",
//	"method": "form"|"call_sms"|"software", "time": RFC 3339,
//	"evidence": "…", "max_per_day": 0 (none agreed) or 1..1000,
//	"revoked_at": RFC 3339 or null, "last_used_at": RFC 3339}
//
// POST /v1/consents
//
//	Body {"advertiser", "recipient", "method" required; "time" (default
//	now, not in the future), "evidence", "max_per_day" optional}. The
//	advertiser must be an organizational domain. A consent given later
//	than the stored one replaces it; an older one is ignored.
//	→ 201 {"changed": true, "consent": the stored consent}
//	→ 200 {"changed": false, "consent": …} when a later consent is on record
//	→ 400 {"error": "…"} naming every invalid field
//
// DELETE /v1/consents?advertiser=DOMAIN&recipient=ADDR
//
//	Both required. Revokes the active consent now.
//	→ 200 {"revoked": true}
//	→ 404 {"revoked": false, "error": "no active consent …"}
//
// PUT /v1/consents/import
//
//	Body: CSV with a header row; columns advertiser, recipient, method,
//	time (required), evidence, max_per_day, revoked_at, last_used_at.
//	All lines or none are applied.
//	Every line is checked before any is applied; the import stops at the
//	100th problem. Lines are at most 64 KiB.
//	→ 200 {"imported": n} (records inserted or updated)
//	→ 400 {"error": "N problems, nothing imported",
//	       "problems": [{"line": 3, "reason": "…"}, …], "truncated": false}
//	  truncated true: the import stopped at the 100th problem (or at a
//	  line over 64 KiB) and later lines were not checked.
//
// GET /v1/consents/export
//
//	→ 200 text/csv, every consent in the import format, streamed from one
//	snapshot of the registry; cells are as stored (no formula escaping),
//	so the file re-imports identically. A failure after the first byte
//	aborts the connection, so a cut file is never taken for a complete
//	one.
//
// GET /v1/refusals?advertiser=DOMAIN&recipient=ADDR&limit=N&cursor=CURSOR
//
//	All optional. → 200 {"items": [refusal, …], "next": CURSOR|null}
//	ordered by advertiser, recipient, scope. A refusal: {"advertiser", "recipient", "scope": "all" or a
//	product/group id, "time", "channel": "web"|"email"|"phone"|"api"|
//	"captured", "evidence", "last_used_at"}
//
// POST /v1/refusals
//
//	Body {"advertiser", "recipient" required; "scope" (default "all"),
//	"time" (default now, not in the future), "channel" (default "api"),
//	"evidence" optional}. Effective at once (Art. 20.3).
//	→ 201 {"changed": true, "refusals": [the pair's refusals, at most 1000]}
//	→ 400 {"error": "…"}
//	There is no DELETE: the registry keeps refusals until retention ends.
//
// PUT /v1/refusals/import, GET /v1/refusals/export
//
//	As for consents; columns advertiser, recipient, scope, time, channel
//	(required), evidence, last_used_at.
//
// GET /v1/blocks?recipient=ADDR&kind=address|domain|advertiser&limit=N&cursor=CURSOR
//
//	The users' own block lists (Art. 10.2). All optional.
//	→ 200 {"items": [block, …], "next": CURSOR|null} ordered by recipient,
//	kind, value. A block: {"recipient", "kind", "value" (an address, a
//	domain that also covers its subdomains, or an advertiser id), "time",
//	"source": "api"|"cli"|"report", "note"}
//
// POST /v1/blocks
//
//	Body {"recipient", "kind", "value" required; "note" optional, at most
//	512 bytes}. In effect for the next message.
//	→ 201 the stored block; adding it again keeps its first time.
//	→ 400 {"error": "…"}
//
// DELETE /v1/blocks?recipient=ADDR&kind=KIND&value=VALUE
//
//	All required. → 200 {"removed": true}; → 404 {"removed": false, "error": …}
//
// GET /v1/headers?since=&until=&from=&rcpt=&message_id=&client_ip=&limit=
//
//	since required, until default now; the others optional: from (From
//	header address), rcpt (an envelope
//	recipient), message_id (angle brackets optional), client_ip, limit
//	(1..1000, default 100). → 200 [record, …] newest first, each an
//	archive.Record: {"time", "queue_id", "direction", "client_ip",
//	"client_name", "helo", "mail_from", "rcpts", "message_id", "from",
//	"subject", "header", "action", "score", "rules", "articles",
//	"advertiser", "reply", "size"}.
//
// GET /v1/report?since=&until=&format=json|csv|html
//
//	since required, until default now, format default json.
//	→ 200 the report with its media type (application/json, text/csv or
//	text/html).
//
// POST /v1/learn?class=spam|ham&recipient=ADDR
//
//	The body is one message (Content-Type: message/rfc822, at most
//	32 MiB), learned by the content classifier as class, site-wide and,
//	with recipient, in that recipient's counts too. Learning a message
//	again as the same class changes nothing; as the other class moves it.
//	→ 200 {"class": "spam", "features": N, "scopes": [{"scope": "site",
//	  "outcome": "learned"|"moved"|"already learned", "spam_learned": N,
//	  "ham_learned": N}, …]}
//	→ 429 the scope's daily learning limit (bayes.max_learn_per_day) is
//	  reached; nothing was learned.
package admin
