package resolver

import (
	"container/list"
	"sync"
	"time"
)

// cacheKey identifies one question: the name lower-cased without its
// trailing dot, and the query type.
type cacheKey struct {
	name  string
	qtype uint16
}

// cacheEntry is one cached result and the instant it stops being valid.
type cacheEntry struct {
	key     cacheKey
	res     result
	expires time.Time
}

// cache is a size-bounded TTL cache of results. When full it evicts the
// least recently used entry; an expired entry is dropped when next read.
// It is safe for concurrent use.
type cache struct {
	mu    sync.Mutex
	max   int
	lru   *list.List // of *cacheEntry, most recently used first
	items map[cacheKey]*list.Element
}

// newCache returns a cache of at most max entries (max > 0).
func newCache(max int) *cache {
	return &cache{max: max, lru: list.New(), items: make(map[cacheKey]*list.Element)}
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
		c.lru.Remove(el)
		delete(c.items, key)
		return result{}, false
	}
	c.lru.MoveToFront(el)
	return e.res, true
}

// put stores res for key until expires, replacing an older entry and
// evicting the least recently used ones beyond the size bound.
func (c *cache) put(key cacheKey, res result, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*cacheEntry)
		e.res, e.expires = res, expires
		c.lru.MoveToFront(el)
		return
	}
	c.items[key] = c.lru.PushFront(&cacheEntry{key: key, res: res, expires: expires})
	for c.lru.Len() > c.max {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.items, oldest.Value.(*cacheEntry).key)
	}
}

// len returns the number of entries, expired ones included.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
