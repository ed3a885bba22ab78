/* The citizen's call page (on the kiosk, in Chromium): consent with a camera preview, the queue
   with position and wait, the call with real-time text, the end. The kiosk watches the same state
   through the hub's API, speaks it, and closes this browser when the call has ended. */
(function () {
  "use strict";
  var root = document.getElementById("visio");
  var token = root.dataset.token, pollMs = parseInt(root.dataset.poll, 10) || 1000;
  var base = "/visio/c/" + token;
  var LONG_WAIT_S = 10 * 60;
  var state = "consent", call = null, joining = false, preview = null, timer = null;
  var $ = function (id) { return document.getElementById(id); };
  // the sentences in the citizen's language, from the page (kiosk/hub/visio_text.py)
  var words = JSON.parse($("words").textContent);
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function andBack(sentence) { return sentence + " " + words.going_back; }

  function show(name) {
    state = name;
    root.dataset.state = name;
    ["consent", "waiting", "call", "ended"].forEach(function (id) { $(id).hidden = id !== name; });
  }

  function post(path) {
    return fetch(base + path, {method: "POST", cache: "no-store"}).then(function (r) { return r.json(); });
  }

  function minutes(seconds) {
    var m = Math.max(1, Math.round(seconds / 60));
    return m === 1 ? words.wait_one : fill(words.wait_many, {minutes: m});
  }

  function waitingText(s) {
    var place = s.position === 1 ? words.next : fill(words.number, {position: s.position});
    if (s.wait_s === null || s.wait_s === undefined) {
      return place + " " + words.no_advisor;
    }
    return place + " " + minutes(s.wait_s);
  }

  function ended(text) {
    if (state === "ended") return;
    if (call) { call.leave(); call = null; }
    if (preview) { preview.getTracks().forEach(function (t) { t.stop(); }); preview = null; }
    if (text) $("ended-text").textContent = text;
    show("ended");
  }

  function stopPreview() {
    if (preview) { preview.getTracks().forEach(function (t) { t.stop(); }); preview = null; }
  }

  function joinRoom(s) {
    joining = true;
    stopPreview();
    show("call");
    VisioRoom.join({
      server: s.server, room: s.room, pin: s.pin, display: "kiosk",
      localVideo: $("local"), remoteVideo: $("remote"),
      onText: function (text) { $("rtt-in").textContent = text; },
      onRemoteMedia: function (kind) {
        if (kind === "video") $("call-status").textContent = words.online;
        $("remote").volume = $("volume").value / 100;
      },
      onOtherLeft: function () {
        $("call-status").textContent = words.other_left;
      },
      onError: function () {
        $("call-status").textContent = words.service_lost;
      }
    }).then(function (c) { call = c; window.visioCall = c; }, function (code) {
      $("call-status").textContent = code === "no-camera"
        ? words.no_media_call
        : words.service_down;
    });
  }

  function showExternal(url) {
    // the partner's own video service, in a frame under our big hang-up button
    joining = true;
    stopPreview();
    show("call");
    $("videos").hidden = true;
    document.querySelector("#call .rtt").hidden = true;
    document.querySelector("#call .volume").hidden = true;  // the partner's page has its own
    $("external").src = url;
    $("external").hidden = false;
    $("call-status").textContent = words.external;
  }

  function poll() {
    fetch(base + "/state", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.state === "ended") {
        ended(s.end_reason === "advisor" ? andBack(words.advisor_hung_up) : null);
      } else if (s.state === "waiting" && state === "waiting") {
        $("position").textContent = waitingText(s);
        $("long-wait").hidden = !(s.waited_s >= LONG_WAIT_S);
      } else if (s.state === "taken" && !joining && s.external) {
        showExternal(s.external);
      } else if (s.state === "taken" && !joining) {
        joinRoom(s);
      }
    }).catch(function () {
      if (state === "waiting") {
        $("position").textContent = words.link_cut + " " + words.may_cancel;
      }
    }).then(function () {
      if (state !== "ended") timer = setTimeout(poll, pollMs);
    });
  }

  function startPreview() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return noCamera();
    navigator.mediaDevices.getUserMedia({video: {width: {ideal: 640}, height: {ideal: 480}}, audio: true})
      .then(function (stream) {
        preview = stream;
        $("preview").srcObject = stream;
        var played = $("preview").play();
        if (played && played.catch) played.catch(function () {});
      }, noCamera);
  }

  function noCamera() {
    $("consent-error").textContent = words.no_media_consent;
    $("consent-error").hidden = false;
    $("start").disabled = true;
    root.dataset.media = "missing";
  }

  $("start").addEventListener("click", function () {
    window.startTouchedAt = Date.now();
    show("waiting");
    post("/start");
  });
  $("decline").addEventListener("click", function () {
    post("/end?reason=" + (root.dataset.media === "missing" ? "no_media" : "declined"));
    ended(andBack(words.declined));
  });
  $("cancel").addEventListener("click", function () {
    post("/end?reason=citizen");
    ended(andBack(words.cancelled));
  });
  $("hangup").addEventListener("click", function () {
    window.hangupAt = Date.now();  // read by the benchmark (hang-up to the kiosk shown again)
    post("/end?reason=citizen");
    ended(andBack(words.hung_up));
  });
  $("volume").addEventListener("input", function () { $("remote").volume = $("volume").value / 100; });
  $("rtt-out").addEventListener("input", function () { if (call) call.sendText($("rtt-out").value); });

  show("consent");
  startPreview();
  poll();
  window.visioState = function () { return state; };
})();
