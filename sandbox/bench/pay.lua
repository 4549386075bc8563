-- wrk script: every request pays a different, fresh intent with card 4242 and its own Idempotency-Key.
-- The intents ("<id> <secret>" per line) come from the file named by the first script argument;
-- the second argument is wrk's thread count, so each thread takes its own share of lines.
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local intents = {}
local n = 0
local body = '{"paymentMethod":{"card":{"number":"4242424242424242","expiryMonth":12,'
  .. '"expiryYear":2034,"cvc":"123","cardholderName":"Bench"}}}'

function init(args)
  local threads = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % threads == tid then
      local id, secret = line:match("^(%S+) (%S+)$")
      intents[#intents + 1] = { id, secret }
    end
    i = i + 1
  end
end

function request()
  n = n + 1
  -- Past the end it wraps: those answers are 409 (already paid) and wrk counts them as non-2xx.
  local e = intents[(n - 1) % #intents + 1]
  return wrk.format("POST", "/payment-intents/public/" .. e[1] .. "/payments", {
    ["Authorization"] = "Bearer " .. e[2],
    ["Idempotency-Key"] = "bench-" .. tid .. "-" .. n,
    ["Content-Type"] = "application/json",
  }, body)
end
