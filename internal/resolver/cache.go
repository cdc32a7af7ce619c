package resolver

import (
	"container/list"
	"net"
	"net/netip"
	"sync"
	"time"
	"unsafe"
)

// cacheKey identifies one question: the name lower-cased without its
// trailing dot, and the query type.
type cacheKey struct {
	name  string
	qtype uint16
}

// cacheEntry is one cached result, the instant it stops being valid and
// its size as entrySize counts it.
type cacheEntry struct {
	key     cacheKey
	res     result
	expires time.Time
	size    int64
}

// cache is a TTL cache of results bounded in entries and in bytes. When
// either bound is passed it evicts the least recently used entries; an
// expired entry is dropped when next read or evicted. A result bigger than
// maxEntry is not cached at all, so that one hostile answer cannot flush
// the cache. It is safe for concurrent use.
type cache struct {
	mu       sync.Mutex
	max      int   // entries
	maxBytes int64 // sum of entrySize
	maxEntry int64 // largest entrySize cached
	bytes    int64
	lru      *list.List // of *cacheEntry, most recently used first
	items    map[cacheKey]*list.Element
}

// maxEntryShare is the share of the byte bound one entry may take at most
// (our choice: 1/16, 2 MiB of the default 32 MiB, far above the largest
// TXT answer a 64 KiB DNS message can carry).
const maxEntryShare = 16

// newCache returns a cache of at most max entries and maxBytes bytes
// (both > 0).
func newCache(max int, maxBytes int64) *cache {
	return &cache{max: max, maxBytes: maxBytes, maxEntry: maxBytes / maxEntryShare,
		lru: list.New(), items: make(map[cacheKey]*list.Element)}
}

// get returns the result cached for key if it is still valid at now.
func (c *cache) get(key cacheKey, now time.Time) (result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return result{}, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.remove(el)
		return result{}, false
	}
	c.lru.MoveToFront(el)
	return e.res, true
}

// put stores res for key until expires, replacing an older entry, and
// evicts the least recently used entries beyond the bounds. A result over
// maxEntry is not stored, and the older entry for key is dropped: the
// fresh answer replaces it, even when it cannot be kept.
func (c *cache) put(key cacheKey, res result, expires time.Time) {
	size := entrySize(key, res)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	if size > c.maxEntry {
		return
	}
	c.items[key] = c.lru.PushFront(&cacheEntry{key: key, res: res, expires: expires, size: size})
	c.bytes += size
	for c.lru.Len() > c.max || c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
}

// remove drops el; the caller holds c.mu.
func (c *cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.items, e.key)
	c.bytes -= e.size
}

// len returns the number of entries, expired ones included.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// size returns the sum of the entries' sizes, expired ones included.
func (c *cache) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Fixed costs of one entry in bytes: the list element, the entry, the map
// slot (key and pointer, with the map's load-factor slack) and the answer.
const (
	entryOverhead = int64(unsafe.Sizeof(list.Element{})+unsafe.Sizeof(cacheEntry{})) +
		2*int64(unsafe.Sizeof(cacheKey{})+unsafe.Sizeof(&list.Element{}))
	answerOverhead = int64(unsafe.Sizeof(answer{}))
)

// entrySize is what an entry for key and res holds on the heap: the fixed
// costs plus the name, the failure reason and the answer's slices and
// strings (by capacity, as allocated).
func entrySize(key cacheKey, res result) int64 {
	n := entryOverhead + int64(len(key.name)+len(res.reason))
	a := res.ans
	if a == nil {
		return n
	}
	n += answerOverhead +
		int64(cap(a.strs))*int64(unsafe.Sizeof("")) +
		int64(cap(a.addrs))*int64(unsafe.Sizeof(netip.Addr{})) +
		int64(cap(a.mx))*int64(unsafe.Sizeof(net.MX{}))
	for _, s := range a.strs {
		n += int64(len(s))
	}
	for _, mx := range a.mx {
		n += int64(len(mx.Host))
	}
	return n
}
