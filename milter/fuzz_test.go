package milter

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// Limits of the fuzz server and driver: a 1 KiB spool threshold so that
// most bodies reach the disk spool, a size limit that three chunks cross,
// header limits that a few fields cross.
const (
	fuzzSpool     = 1 << 10
	fuzzMaxSize   = 12 << 10
	fuzzMaxHeader = 2 << 10
	fuzzMaxFields = 8
	fuzzMaxSteps  = 48
	fuzzReadLimit = 5 * time.Second // a reply this late is a hung server
)

// Evaluator answers, chosen by the first input byte.
const (
	modeAccept = iota
	modeTag
	modeReject
	modeTempfail
	modeQuarantine
	modeError
	modePanic
	modeNoOutcome
	numModes
)

// fuzzOutcome answers as mode says; reply texts, edit values and the
// edited header's name come from t's headers, i.e. from the input.
func fuzzOutcome(mode int, t *txn.Transaction) (*txn.Outcome, error) {
	text, name := "", "Subject"
	if n := len(t.Headers); n > 0 {
		text, name = t.Headers[n-1].Value, t.Headers[0].Name
	}
	out := &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionAccept}}
	switch mode {
	case modeTag:
		out.Edits = []txn.HeaderEdit{{Op: txn.EditInsert, Index: 1, Name: "X-Fuzz", Value: " " + text},
			{Op: txn.EditAdd, Name: "X-Spam-Flag", Value: " YES"}, {Op: txn.EditChange, Index: 1, Name: name, Value: text},
			{Op: txn.EditDelete, Index: 2, Name: name}}
	case modeReject:
		out.Verdict = txn.Verdict{Action: txn.ActionReject, Reply: txn.Reply{Code: 550, Enhanced: "5.7.1", Text: text}}
	case modeTempfail:
		out.Verdict = txn.Verdict{Action: txn.ActionTempfail, Reply: txn.Reply{Code: 451, Enhanced: "4.7.1", Text: text}}
	case modeQuarantine:
		out.Verdict, out.Quarantine = txn.Verdict{Action: txn.ActionQuarantine}, text
	case modeError:
		return nil, errors.New("fuzz evaluator error")
	case modePanic:
		panic("fuzz evaluator panic")
	case modeNoOutcome:
		return nil, nil
	}
	return out, nil
}

// fuzzEvaluator is a fakeEval that answers per the current input's mode.
type fuzzEvaluator struct {
	*fakeEval
	mode atomic.Int32
}

func newFuzzEvaluator() *fuzzEvaluator {
	e := &fuzzEvaluator{fakeEval: &fakeEval{}}
	e.fn = func(_ context.Context, t *txn.Transaction) (*txn.Outcome, error) {
		return fuzzOutcome(int(e.mode.Load()), t)
	}
	return e
}

// reset sets the mode and the early rejection and drops what was recorded.
func (e *fuzzEvaluator) reset(mode int, early bool) {
	e.mode.Store(int32(mode))
	e.mu.Lock()
	defer e.mu.Unlock()
	e.snaps, e.prefetch, e.early = nil, nil, nil
	if early {
		e.early = &txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "early"}
	}
}

// FuzzSession decodes the input into milter operations (see step) sent
// through go-milter's client, on a fresh connection per input, to one
// server. It asserts: every answer is continue or a well-formed reply
// ("[45]xx [45].x.x text", one line, of the class the verdict or a limit
// calls for), header edits cannot inject a header, the evaluator got the
// envelope, headers and body bytes that were sent, the server closes
// the connection only after input the protocol cannot carry (and always
// after a packet over the size limits), answers
// within fuzzReadLimit, leaves no spool file once the connection is gone,
// and accepts a simple message on a fresh connection afterwards.
func FuzzSession(f *testing.F) {
	dir := f.TempDir()
	ev := newFuzzEvaluator()
	sock := startFuzzServer(f, Options{FailMode: txn.ActionTempfail, SpoolThreshold: fuzzSpool, SpoolDir: dir,
		MaxMessageSize: fuzzMaxSize, MaxHeaderBytes: fuzzMaxHeader, MaxHeaderFields: fuzzMaxFields, Logger: slog.New(slog.DiscardHandler), Evaluator: func() Evaluator { return ev }})
	f.Fuzz(func(t *testing.T, in []byte) {
		d := &fuzzDriver{t: t, in: in, ev: ev}
		ev.reset(int(d.byte())%numModes, d.byte()&1 == 1)
		d.dial(sock)
		for steps := 0; steps < fuzzMaxSteps && len(d.in) > 0 && !d.dead; steps++ {
			d.step()
		}
		_ = d.s.Close()
		for start := time.Now(); ; time.Sleep(time.Millisecond) {
			files, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			} else if len(files) == 0 {
				break
			} else if time.Since(start) > time.Second {
				t.Fatalf("%d spool files left a second after the connection closed", len(files))
			}
		}
		ev.reset(modeAccept, false)
		alive := &fuzzDriver{t: t}
		alive.dial(sock)
		defer alive.s.Close()
		m := &mta{t: t, s: alive.s, macros: alive.macros}
		m.connect("127.0.0.1", "alive.example.com")
		if _, act := m.send(simple("QALIVE")); act.Type != gomilter.ActionAccept {
			t.Fatalf("fresh connection after the sequence: %v, want accept", act)
		}
	})
}

// startFuzzServer serves opts on a unix socket: a TCP connection per
// input would use up the ephemeral ports (TIME_WAIT) within a fuzz run.
func startFuzzServer(f *testing.F, opts Options) string {
	sock := filepath.Join(f.TempDir(), "milter.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		f.Fatal(err)
	}
	srv := New(opts)
	go func() { _ = srv.Serve(ln) }()
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return sock
}

// Client stages, in protocol order.
const (
	stNeg = iota
	stConn
	stHelo
	stMail
	stRcpt
	stData
	stHead
	stEOH
	stBody
)

// fuzzDriver decodes one input into client calls and checks each answer.
// from, rcpts, headers and body are what was sent of the current message.
type fuzzDriver struct {
	t      *testing.T
	in     []byte
	ev     *fuzzEvaluator
	s      *gomilter.ClientSession
	raw    net.Conn // the session's connection, for raw packets
	macros *gomilter.MacroBag
	st     int
	dead   bool
	// mayDrop: input the protocol cannot carry (NUL in a header, a bad
	// address) or a raw packet went out; the server may close.
	mayDrop bool
	// rawSent: the server's view of the message is not the client's.
	rawSent bool
	from    string
	rcpts   []string
	headers []txn.Header
	body    []byte
}

func (d *fuzzDriver) byte() byte {
	if len(d.in) == 0 {
		return 0
	}
	c := d.in[0]
	d.in = d.in[1:]
	return c
}

func (d *fuzzDriver) u16() int { return int(d.byte())<<8 | int(d.byte()) }

// str is a length-prefixed string of arbitrary bytes.
func (d *fuzzDriver) str() string {
	n := min(int(d.byte()), len(d.in))
	s := string(d.in[:n])
	d.in = d.in[n:]
	return s
}

// dialer keeps the connection it dials.
type dialer struct{ conn net.Conn }

func (r *dialer) Dial(network, addr string) (net.Conn, error) {
	c, err := net.DialTimeout(network, addr, fuzzReadLimit)
	r.conn = c
	return c, err
}

func (d *fuzzDriver) dial(sock string) {
	dl := &dialer{}
	d.macros = gomilter.NewMacroBag()
	s, err := gomilter.NewClient("unix", sock, gomilter.WithDialer(dl), gomilter.WithReadTimeout(fuzzReadLimit)).Session(d.macros)
	if err != nil {
		d.t.Fatalf("session: %v", err)
	}
	d.s, d.raw = s, dl.conn
}

var (
	// fuzzAddrs are connect addresses picked by index; a larger index
	// sends a string of the input.
	fuzzAddrs      = []string{"127.0.0.2", "::1", "::ffff:127.0.0.3", "/run/smtp.sock", ""}
	fuzzFamilies   = []gomilter.ProtoFamily{gomilter.FamilyInet, gomilter.FamilyInet6, gomilter.FamilyUnix, gomilter.FamilyUnknown}
	fuzzMacroNames = []string{gomilter.MacroQueueId, gomilter.MacroAuthAuthen, gomilter.MacroClientAddr,
		gomilter.MacroClientName, gomilter.MacroClientPort, gomilter.MacroDaemonName, gomilter.MacroTlsVersion,
		gomilter.MacroMailAddr, gomilter.MacroRcptAddr}
)

// step runs one operation: 0 connect, 1 HELO, 2 MAIL, 3 RCPT, 4 DATA,
// 5 header, 6 end of headers, 7 body chunk, 8 end of message, 9 abort,
// 10 set a macro, 11 reset (SMFIC_QUIT_NC), 12 raw packet, 13 oversize
// packet. One not allowed in the current stage first moves there as an MTA
// would: RSET, or the default command of each missing stage.
func (d *fuzzDriver) step() {
	switch op := d.byte() % 14; op {
	case 0:
		d.reach(stNeg, stNeg)
		family, host, pick := fuzzFamilies[d.byte()%4], d.str(), int(d.byte())
		addr := ""
		if pick < len(fuzzAddrs) {
			addr = fuzzAddrs[pick]
		} else {
			addr = d.str()
		}
		// The TCP families carry an IPv4 or IPv6 address; a host name with
		// a NUL shifts the fields after it.
		ip := net.ParseIP(addr)
		d.mayDrop = d.mayDrop || strings.Contains(host, "\x00") ||
			(family == gomilter.FamilyInet && ip.To4() == nil) || (family == gomilter.FamilyInet6 && ip == nil)
		port := uint16(d.u16())
		d.do(stConn, func() (*gomilter.Action, error) { return d.s.Conn(host, family, port, addr) })
	case 1:
		d.reach(stConn, stHelo)
		name := d.str()
		d.do(stHelo, func() (*gomilter.Action, error) { return d.s.Helo(name) })
	case 2:
		d.reach(stHelo, stHelo)
		d.mail(d.str())
	case 3:
		d.reach(stMail, stRcpt)
		d.rcpt(d.str())
	case 4:
		d.reach(stRcpt, stRcpt)
		d.do(stData, d.s.DataStart)
	case 5:
		d.reach(stData, stHead)
		d.header(d.str(), strings.TrimRight(d.str(), "\r\n")) // the MTA strips the line end
	case 6:
		d.reach(stData, stHead)
		d.do(stEOH, d.s.HeaderEnd)
	case 7:
		d.reach(stEOH, stBody)
		d.chunk()
	case 8:
		d.reach(stEOH, stBody)
		d.end()
	case 9:
		d.reach(stHelo, stBody)
		d.abort()
	case 10:
		d.macros.Set(fuzzMacroNames[int(d.byte())%len(fuzzMacroNames)], d.str())
	case 11:
		d.reset()
	case 12:
		d.rawPacket()
	default:
		d.oversize()
	}
}

// reach moves the client to a stage in [lo, hi]: back by RSET (abort) or,
// before HELO, by a new connection (reset); forward by default commands.
func (d *fuzzDriver) reach(lo, hi int) {
	switch {
	case d.st > hi && d.st >= stMail && hi >= stHelo:
		d.abort()
	case d.st > hi:
		d.reset()
	}
	for !d.dead && d.st < lo {
		switch d.st {
		case stNeg:
			d.do(stConn, func() (*gomilter.Action, error) {
				return d.s.Conn("client.example.com", gomilter.FamilyInet, 25, "127.0.0.2")
			})
		case stConn:
			d.do(stHelo, func() (*gomilter.Action, error) { return d.s.Helo("helo.example.com") })
		case stHelo:
			d.mail("sender@example.com")
		case stMail:
			d.rcpt("rcpt@example.net")
		case stRcpt:
			d.do(stData, d.s.DataStart)
		default:
			d.do(stEOH, d.s.HeaderEnd)
		}
	}
}

func (d *fuzzDriver) mail(from string) {
	d.from, d.rcpts, d.headers, d.body = from, nil, nil, nil
	d.do(stMail, func() (*gomilter.Action, error) { return d.s.Mail(from, "") })
}

func (d *fuzzDriver) rcpt(to string) {
	act, err := d.s.Rcpt(to, "")
	d.check(act, err, "rcpt")
	if err == nil && act.Type == gomilter.ActionContinue {
		d.rcpts = append(d.rcpts, to)
	}
	d.st = stRcpt
}

func (d *fuzzDriver) header(name, value string) {
	d.mayDrop = d.mayDrop || strings.ContainsRune(name+value, 0)
	d.headers = append(d.headers, txn.Header{Name: name, Value: value})
	d.do(stHead, func() (*gomilter.Action, error) { return d.s.HeaderField(name, value, nil) })
}

// chunk sends a body chunk of up to 4 KiB: a string of the input repeated
// ("x" when empty), so that short inputs reach the spool and size limit.
// After a limit's rejection the MTA ends the message.
func (d *fuzzDriver) chunk() {
	n, pat := d.u16()%4097, d.str()
	if pat == "" {
		pat = "x"
	}
	chunk := []byte(strings.Repeat(pat, n/len(pat)+1)[:n])
	d.body = append(d.body, chunk...)
	act, err := d.s.BodyChunk(chunk)
	d.check(act, err, "body")
	d.st = stBody
	if err == nil && d.limitRejected(act) {
		d.abort()
	} else if err == nil && act.Type != gomilter.ActionContinue {
		d.t.Fatalf("body chunk: got %v %q, want continue or a limit's rejection", act.Type, act.SMTPReply)
	}
}

func (d *fuzzDriver) abort() {
	d.check(nil, d.s.Abort(nil), "abort")
	d.st = stHelo
}

func (d *fuzzDriver) reset() {
	if d.st > stNeg {
		d.check(nil, d.s.Reset(d.macros), "reset")
		d.st = stNeg
	}
}

// do runs one client call whose success moves the client to stage st.
func (d *fuzzDriver) do(st int, call func() (*gomilter.Action, error)) {
	act, err := call()
	d.check(act, err, "stage "+strconv.Itoa(st))
	d.st = st
}
