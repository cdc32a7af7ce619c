package auth

import (
	"context"
	"net"
	"net/netip"
	"strings"

	"blitiri.com.ar/go/spf"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// SPF identities (RFC 7208 §2.3, §2.4), the values of txn.SPF.Identity.
const (
	IdentityMailFrom = "mailfrom"
	IdentityHELO     = "helo"
)

// CheckSPF runs check_host() (RFC 7208 §4) for the client ip and returns one
// of none, neutral, pass, fail, softfail, temperror, permerror (§2.6).
//
// mailFrom is the MAIL FROM reverse-path, with or without angle brackets. The
// null reverse-path ("" or "<>") checks the HELO identity instead, with
// <sender> postmaster@HELO (§2.4); Identity is then "helo". A reverse-path
// without a local-part uses "postmaster" (§4.3).
//
// Without a usable check the result is none with a Detail: an invalid
// (zero) ip, no domain to check, or an address-literal HELO for the null
// sender (§2.3 only defines the check for a domain name). IPv4-mapped IPv6
// addresses are checked as IPv4.
//
// Detail carries the library's reason for temperror and permerror: DNS
// timeouts and SERVFAIL give temperror (§2.6.6), syntax errors, too many
// lookups (§4.6.4) and several records (§4.5) give permerror (§2.6.7).
func CheckSPF(ctx context.Context, r resolver.Resolver, ip netip.Addr, helo, mailFrom string) txn.SPF {
	helo = strings.TrimSuffix(strings.TrimSpace(helo), ".")
	res := spfIdentity(helo, mailFrom)
	switch {
	case !ip.IsValid():
		return noneSPF(res, "no client IP address")
	case res.Domain == "":
		return noneSPF(res, "no domain to check")
	case res.Identity == IdentityHELO && isAddressLiteral(helo):
		return noneSPF(res, "HELO is an address literal")
	}
	ip = ip.Unmap().WithZone("")
	result, err := spf.CheckHostWithSender(net.IP(ip.AsSlice()), helo, res.Sender,
		spf.WithResolver(libResolver{r: r}), spf.WithContext(ctx))
	res.Result = string(result)
	if (result == spf.TempError || result == spf.PermError) && err != nil {
		res.Detail = err.Error()
	}
	return res
}

// spfIdentity fills Identity, Domain and Sender from the envelope.
func spfIdentity(helo, mailFrom string) txn.SPF {
	from := strings.TrimSpace(mailFrom)
	from = strings.TrimSuffix(strings.TrimPrefix(from, "<"), ">")
	if from == "" {
		res := txn.SPF{Identity: IdentityHELO, Domain: helo}
		if helo != "" {
			res.Sender = "postmaster@" + helo
		}
		return res
	}
	local, domain := from, ""
	if at := strings.LastIndexByte(from, '@'); at >= 0 {
		local, domain = from[:at], strings.TrimSuffix(from[at+1:], ".")
	}
	if local == "" {
		local = "postmaster"
	}
	res := txn.SPF{Identity: IdentityMailFrom, Domain: domain}
	if domain != "" {
		res.Sender = local + "@" + domain
	}
	return res
}

func noneSPF(res txn.SPF, detail string) txn.SPF {
	res.Result = txn.ResultNone
	res.Detail = detail
	return res
}

// isAddressLiteral reports whether a HELO argument is an address literal
// ("[192.0.2.1]", RFC 5321 §4.1.3) or a bare IP address.
func isAddressLiteral(helo string) bool {
	if strings.HasPrefix(helo, "[") {
		return true
	}
	_, err := netip.ParseAddr(helo)
	return err == nil
}
