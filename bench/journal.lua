-- wrk script for the journal: METHOD (default GET), the body in BODY_FILE (optional),
-- and the API key in API_KEY (sent as Authorization: Bearer) when set.
wrk.method = os.getenv("METHOD") or "GET"
local body_file = os.getenv("BODY_FILE")
if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
end
local key = os.getenv("API_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
