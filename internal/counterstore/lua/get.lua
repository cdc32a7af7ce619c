#!lua flags=no-writes
-- Get for the Valkey/Redis counter store (redis.go): KEYS are the
-- counters, ARGV[1] the store's "now" in Unix milliseconds. Returns each
-- value as a decimal string, "0" for a missing or expired counter.
local now = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local pt = redis.call('PEXPIRETIME', key)
  if pt == -2 or (pt >= 0 and pt <= now) then
    out[i] = '0'
  else
    out[i] = redis.call('GET', key)
  end
end
return out
