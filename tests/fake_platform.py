#!/usr/bin/env python3
"""The fake of every platform boxoffice pushes to (python3 stdlib only).

    python3 tests/fake_platform.py

binds 127.0.0.1:0, prints its port as the first stdout line, then serves
until killed (or until the process that started it is gone). It records
every request and answers like the platform does for the endpoints in
src/core/push_format.h; the base URL may carry any prefix (endpoints are
matched on the end of the path):

  shopify      POST .../inventory_levels/set.json  {"location_id","inventory_item_id","available"}
               POST .../inventory_levels/adjust.json {"…","available_adjustment"}
               GET  .../inventory_levels.json?inventory_item_ids=I&location_ids=L
  woocommerce  PUT|GET .../products/P  and  .../products/P/variations/V    (remote "P" or "P/V")
  square       POST .../v2/inventory/changes/batch-create   PHYSICAL_COUNT / ADJUSTMENT
               POST .../v2/inventory/counts/batch-retrieve  {"catalog_object_ids":[…]}
  eventbrite   POST|GET .../events/E/ticket_classes/C/     (remote "E/C"; capacity, quantity_sold)
               GET  .../orders/ID/[?expand=attendees]      (from /_state eventbrite_orders; 404 otherwise)
  twilio       POST .../2010-04-01/Accounts/SID/Messages.json  (form To, From, Body) → 201
  slack        POST to a path containing "slack", or a JSON body {"text":…} only → 200 "ok"
  webhook      any other POST → 200 {"ok":true}

Each platform's credentials header must be present (X-Shopify-Access-Token;
Basic for WooCommerce and Twilio; Bearer for Square and Eventbrite, orders
included), else 401 as the platform answers; its value is not checked.

Per remote the fake keeps the last value pushed (shopify: inventory_item_id,
woocommerce: "P" or "P/V", square: catalog_object_id, eventbrite: "E/C" →
its capacity), and reads return it. What it has "sold" per remote comes from
/_state {"sold":{REMOTE:N}}; {"available":{REMOTE:N}} sets the kept value.

Control (never affected by the mode):
  GET  /_requests  → JSON list of {"n","method","path","query","headers"
                     (names lower-case),"body","json" (parsed or null),
                     "form" (parsed x-www-form-urlencoded or null),"answered"}
  POST /_clear     forget the recorded requests (state stays)
  POST /_mode      {"mode":"ok"|"fail"|"stall"|"close","status":500,"stall_ms":N,"times":K}
                   fail: answer status (default 500) without applying;
                   stall: wait stall_ms (absent or 0: until the mode changes), then answer as ok;
                   close: read the request, then drop the connection without answering;
                   times: only the next K platform requests, then back to ok.
  POST /_state     merge {"eventbrite_orders":{ID:order},"sold":{R:N},"available":{R:N}}
  GET  /_state     the state
"""
import json
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

lock = threading.Condition()
requests = []
counter = [0]
mode = {"mode": "ok", "status": 500, "stall_ms": 0, "times": None, "gen": 0}
state = {"eventbrite_orders": {}, "sold": {}, "available": {}}


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def num(v):
    """An integer from a JSON number or a decimal string; None otherwise."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v)
    if isinstance(v, str):
        try:
            return int(float(v))
        except ValueError:
            return None
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-platform/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    # ---- plumbing ----
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, status, obj=None, text=None, ctype="application/json"):
        if text is None:
            text = json.dumps(obj if obj is not None else {})
        data = text.encode()
        # recorded before the answer leaves: a client that reads the answer
        # and then asks /_requests must find it answered
        if getattr(self, "current", None) is not None:
            self.current["answered"] = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return status

    def handle_any(self):
        raw = self.read_body()
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        self.current = None
        if path.startswith("/_"):
            return self.control(path, raw)
        body = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        form = None
        if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            form = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(body, keep_blank_values=True).items()}
        rec = {"method": self.command, "path": path, "query": query,
               "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": body, "json": parsed, "form": form, "answered": None, "at": time.time()}
        self.current = rec
        with lock:
            counter[0] += 1
            rec["n"] = counter[0]
            requests.append(rec)
            m = dict(mode)
            if m["mode"] != "ok" and m["times"] is not None:
                mode["times"] -= 1
                if mode["times"] <= 0:
                    mode.update(mode="ok", times=None, gen=mode["gen"] + 1)
                    lock.notify_all()
        if m["mode"] == "close":
            rec["answered"] = "closed"
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        if m["mode"] == "fail":
            status = int(m.get("status") or 500)
            rec["answered"] = self.send(status, {"errors": [{"code": "FAKE_FAILURE", "detail": "fake platform failing on demand"}]})
            return
        if m["mode"] == "stall":
            deadline = time.time() + m["stall_ms"] / 1000.0 if m["stall_ms"] else None
            with lock:
                while mode["gen"] == m["gen"]:
                    left = None if deadline is None else deadline - time.time()
                    if left is not None and left <= 0:
                        break
                    lock.wait(left if left is not None else 1.0)
        try:
            rec["answered"] = self.platform(path, query, parsed, form)
        except (BrokenPipeError, ConnectionResetError):
            rec["answered"] = "client gone"

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    # ---- control ----
    def control(self, path, raw):
        try:
            arg = json.loads(raw.decode() or "{}")
        except ValueError:
            return self.send(400, {"error": "bad JSON"})
        with lock:
            if path == "/_requests":
                return self.send(200, requests)
            if path == "/_clear":
                requests.clear()
                return self.send(200, {"ok": True})
            if path == "/_mode" and self.command == "POST":
                if arg.get("mode") not in ("ok", "fail", "stall", "close"):
                    return self.send(400, {"error": "mode must be ok, fail, stall or close"})
                mode.update(mode=arg["mode"], status=int(arg.get("status") or 500),
                            stall_ms=int(arg.get("stall_ms") or 0), times=arg.get("times"), gen=mode["gen"] + 1)
                lock.notify_all()
                return self.send(200, {k: v for k, v in mode.items() if k != "gen"})
            if path == "/_state":
                if self.command == "POST":
                    for k, v in arg.items():
                        if isinstance(v, dict) and isinstance(state.get(k), dict):
                            state[k].update({str(kk): vv for kk, vv in v.items()})
                        else:
                            state[k] = v
                return self.send(200, state)
        return self.send(404, {"error": "no such control endpoint"})

    # ---- platforms ----
    def kept(self, remote, default=0):
        return state["available"].get(remote, default)

    def sold(self, remote):
        return num(state["sold"].get(remote, 0)) or 0

    def unauthorized(self, path):
        """The platform's 401 when its credentials header is absent (any
        value is accepted: the fake checks presence, not the secret)."""
        auth = self.headers.get("Authorization", "")
        if re.search(r"/inventory_levels(/(set|adjust))?\.json$", path):
            if not self.headers.get("X-Shopify-Access-Token"):
                return self.send(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
        elif re.search(r"/products/[^/]+(/variations/[^/]+)?/?$|/2010-04-01/Accounts/", path):
            if not auth.startswith("Basic "):
                return self.send(401, {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.", "data": {"status": 401}})
        elif re.search(r"/v2/inventory/|/events/[^/]+/ticket_classes/|/orders/[^/]+/?$", path):
            if not auth.startswith("Bearer "):
                return self.send(401, {"error": "NO_AUTH", "error_description": "An OAuth token is required for all requests", "status_code": 401})
        return None

    def platform(self, path, query, body, form):
        q = parse_qs(query)
        meth = self.command
        obj = body if isinstance(body, dict) else {}
        denied = self.unauthorized(path)
        if denied:
            return denied
        m = re.search(r"/inventory_levels/(set|adjust)\.json$", path)
        if m and meth == "POST":  # Shopify
            item, loc = obj.get("inventory_item_id"), obj.get("location_id")
            if item is None or loc is None:
                return self.send(422, {"errors": {"inventory_item_id": ["is required"]}})
            with lock:
                r = str(item)
                if m.group(1) == "set":
                    v = num(obj.get("available"))
                    if v is None:
                        return self.send(422, {"errors": {"available": ["is required"]}})
                    state["available"][r] = v
                else:
                    state["available"][r] = (num(self.kept(r)) or 0) + (num(obj.get("available_adjustment")) or 0)
                level = {"inventory_item_id": item, "location_id": loc, "available": state["available"][r],
                         "updated_at": now_iso(),
                         "admin_graphql_api_id": "gid://shopify/InventoryLevel/%s?inventory_item_id=%s" % (loc, item)}
            return self.send(200, {"inventory_level": level})
        if path.endswith("/inventory_levels.json") and meth == "GET":
            items = ",".join(q.get("inventory_item_ids", [])).split(",")
            locs = ",".join(q.get("location_ids", [])).split(",")
            with lock:
                levels = [{"inventory_item_id": num(i) if num(i) is not None else i,
                           "location_id": num(locs[0]) if locs and num(locs[0]) is not None else locs[0],
                           "available": self.kept(i), "updated_at": now_iso()} for i in items if i]
            return self.send(200, {"inventory_levels": levels})
        m = re.search(r"/products/([^/]+)(?:/variations/([^/]+))?/?$", path)
        if m and meth in ("PUT", "POST", "GET"):  # WooCommerce
            r = m.group(1) + ("/" + m.group(2) if m.group(2) else "")
            with lock:
                if meth != "GET":
                    v = num(obj.get("stock_quantity"))
                    if v is None:
                        return self.send(400, {"code": "rest_invalid_param", "message": "Invalid parameter(s): stock_quantity", "data": {"status": 400}})
                    state["available"][r] = v
                rid = m.group(2) or m.group(1)
                prod = {"id": num(rid) if num(rid) is not None else rid, "manage_stock": True,
                        "stock_quantity": self.kept(r, None), "total_sales": self.sold(r),
                        "stock_status": "instock" if (num(self.kept(r)) or 0) > 0 else "outofstock"}
                if m.group(2):
                    prod["parent_id"] = num(m.group(1))
            return self.send(200, prod)
        if path.endswith("/v2/inventory/changes/batch-create") and meth == "POST":  # Square
            if not obj.get("idempotency_key"):
                return self.send(400, {"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "MISSING_REQUIRED_PARAMETER", "field": "idempotency_key"}]})
            counts = []
            with lock:
                for ch in obj.get("changes") or []:
                    if ch.get("type") == "PHYSICAL_COUNT":
                        pc = ch.get("physical_count") or {}
                        r = str(pc.get("catalog_object_id"))
                        state["available"][r] = num(pc.get("quantity")) or 0
                        loc = pc.get("location_id")
                    elif ch.get("type") == "ADJUSTMENT":
                        a = ch.get("adjustment") or {}
                        r = str(a.get("catalog_object_id"))
                        d = num(a.get("quantity")) or 0
                        if a.get("from_state") == "IN_STOCK":
                            d = -d
                        state["available"][r] = (num(self.kept(r)) or 0) + d
                        loc = a.get("location_id")
                    else:
                        return self.send(400, {"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "INVALID_ENUM_VALUE", "field": "type"}]})
                    counts.append({"catalog_object_id": r, "catalog_object_type": "ITEM_VARIATION", "state": "IN_STOCK",
                                   "location_id": loc, "quantity": str(state["available"][r]), "calculated_at": now_iso()})
            return self.send(200, {"counts": counts})
        if path.endswith("/v2/inventory/counts/batch-retrieve") and meth == "POST":
            with lock:
                locs = obj.get("location_ids") or [None]
                counts = [{"catalog_object_id": str(i), "catalog_object_type": "ITEM_VARIATION", "state": "IN_STOCK",
                           "location_id": locs[0], "quantity": str(self.kept(str(i))), "calculated_at": now_iso()}
                          for i in obj.get("catalog_object_ids") or [] if str(i) in state["available"]]
            return self.send(200, {"counts": counts})
        m = re.search(r"/events/([^/]+)/ticket_classes/([^/]+)/?$", path)
        if m:  # Eventbrite
            r = m.group(1) + "/" + m.group(2)
            with lock:
                if meth == "POST":
                    tc = obj.get("ticket_class") if isinstance(obj.get("ticket_class"), dict) else {}
                    v = num(tc.get("capacity"))
                    if v is None:
                        return self.send(400, {"error": "ARGUMENTS_ERROR", "error_description": "ticket_class.capacity is required", "status_code": 400})
                    state["available"][r] = v
                elif r not in state["available"] and r not in state["sold"]:
                    return self.send(404, {"error": "NOT_FOUND", "error_description": "The ticket class you requested does not exist.", "status_code": 404})
                tc = {"id": m.group(2), "event_id": m.group(1), "capacity": self.kept(r), "quantity_sold": self.sold(r),
                      "resource_uri": "https://www.eventbriteapi.com/v3/events/%s/ticket_classes/%s/" % (m.group(1), m.group(2))}
            return self.send(200, tc)
        m = re.search(r"/orders/([^/]+)/?$", path)
        if m and meth == "GET":
            with lock:
                order = state["eventbrite_orders"].get(m.group(1))
                order = json.loads(json.dumps(order)) if order is not None else None
            if order is None:
                return self.send(404, {"error": "NOT_FOUND", "error_description": "The order you requested does not exist.", "status_code": 404})
            if "attendees" not in ",".join(q.get("expand", [])) and isinstance(order, dict):
                order.pop("attendees", None)
            return self.send(200, order)
        m = re.search(r"/2010-04-01/Accounts/([^/]+)/Messages\.json$", path)
        if m and meth == "POST":  # Twilio
            f = form or {}
            if not f.get("To") or not (f.get("From") or f.get("MessagingServiceSid")) or not f.get("Body"):
                return self.send(400, {"code": 21604, "message": "A 'To' phone number is required.", "status": 400})
            return self.send(201, {"sid": "SM" + uuid.uuid4().hex, "account_sid": m.group(1), "to": f["To"], "from": f.get("From"),
                                   "body": f["Body"], "status": "queued", "date_created": now_iso()})
        if meth == "POST" and ("slack" in path or (isinstance(body, dict) and set(body) == {"text"})):
            return self.send(200, text="ok", ctype="text/plain")
        if meth == "POST":  # the generic webhook
            return self.send(200, {"ok": True})
        return self.send(404, {"error": "no such endpoint on the fake platform"})


def watch_parent(ppid):
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid:
            os._exit(0)


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
