-- Add for the Valkey/Redis counter store (redis.go): KEYS are the
-- counters in the order of the call (a key may repeat), ARGV[1] is the
-- store's "now" in Unix milliseconds, ARGV[1+i] the delta of KEYS[i] and
-- ARGV[1+n+i] its expiry (Unix ms). A counter whose expiry is not after
-- now is expired: it restarts at 0. The expiry is raised, never lowered.
-- Returns the new values (a value beyond 2^53, which a Lua number cannot
-- hold exactly, as its decimal string). On an error every change made so
-- far is undone, so the call is applied whole or not at all.
local now = tonumber(ARGV[1])
local n = #KEYS
local undo = {}

local function fail(err)
  for j = #undo, 1, -1 do
    local u = undo[j]
    if u.old then
      redis.call('SET', u.key, u.old)
      if u.pt >= 0 then
        redis.call('PEXPIREAT', u.key, u.pt)
      end
    else
      redis.call('DEL', u.key)
    end
  end
  return redis.error_reply(err)
end

local out = {}
for i = 1, n do
  local key = KEYS[i]
  local pt = redis.call('PEXPIRETIME', key) -- -2 missing, -1 no expiry
  local old = false
  if pt ~= -2 then
    local t = redis.call('TYPE', key)['ok']
    if t ~= 'string' then
      return fail('WRONGTYPE counter ' .. key .. ' holds a ' .. t)
    end
    old = redis.call('GET', key)
  end
  undo[#undo + 1] = {key = key, old = old, pt = pt}
  if pt >= 0 and pt <= now then
    redis.call('DEL', key)
    pt = -2
  end
  local v = redis.pcall('INCRBY', key, ARGV[1 + i])
  if type(v) == 'table' and v.err then
    return fail(v.err)
  end
  local exp = tonumber(ARGV[1 + n + i])
  if pt < exp then
    redis.call('PEXPIREAT', key, exp)
  end
  if v > 9007199254740991 or v < -9007199254740991 then
    v = redis.call('GET', key)
  end
  out[i] = v
end
return out
