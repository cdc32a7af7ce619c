package content

// executable are the attachment extensions that run when opened on
// Windows (rspamd's bad_extensions of its mime_types module, the part
// that mail clients do not block by themselves everywhere).
var executable = set("exe", "scr", "com", "pif", "bat", "cmd", "cpl", "js", "jse", "vbs", "vbe", "wsf",
	"wsh", "hta", "jar", "msi", "msp", "ps1", "lnk", "reg", "dll", "iso", "img", "vhd", "appx")

// shortener are common URL shorteners (rspamd's redirectors list, the
// most used of it).
var shortener = set("bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
	"cutt.ly", "shorturl.at", "tiny.cc", "t.ly", "rb.gy", "s.id", "bom.to")

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}
