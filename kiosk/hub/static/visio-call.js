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
    return m === 1 ? "environ 1 minute" : "environ " + m + " minutes";
  }

  function waitingText(s) {
    var place = s.position === 1 ? "Vous êtes le prochain dans la file." :
      "Vous êtes le numéro " + s.position + " dans la file.";
    if (s.wait_s === null || s.wait_s === undefined) {
      return place + " Aucun conseiller n'est disponible pour le moment.";
    }
    return place + " Attente estimée : " + minutes(s.wait_s) + ".";
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
        if (kind === "video") $("call-status").textContent = "Vous êtes en ligne avec le conseiller.";
        $("remote").volume = $("volume").value / 100;
      },
      onOtherLeft: function () {
        $("call-status").textContent = "La communication avec le conseiller est coupée. Touchez « Raccrocher » pour revenir à votre démarche.";
      },
      onError: function () {
        $("call-status").textContent = "Le service d'appel vidéo ne répond plus. Touchez « Raccrocher » pour revenir à votre démarche.";
      }
    }).then(function (c) { call = c; window.visioCall = c; }, function (code) {
      $("call-status").textContent = code === "no-camera"
        ? "La caméra ou le micro de la borne ne marche pas. Touchez « Raccrocher » pour revenir à votre démarche."
        : "Le service d'appel vidéo ne répond pas. Touchez « Raccrocher » pour revenir à votre démarche.";
    });
  }

  function showExternal(url) {
    // the partner's own video service, in a frame under our big "Raccrocher"
    joining = true;
    stopPreview();
    show("call");
    $("videos").hidden = true;
    document.querySelector("#call .rtt").hidden = true;
    document.querySelector("#call .volume").hidden = true;  // the partner's page has its own
    $("external").src = url;
    $("external").hidden = false;
    $("call-status").textContent = "L'appel s'ouvre avec le service du partenaire.";
  }

  function poll() {
    fetch(base + "/state", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.state === "ended") {
        ended(s.end_reason === "advisor" ? "Le conseiller a raccroché. Vous allez revenir à votre démarche." : null);
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
        $("position").textContent = "Le lien avec le service d'appel est coupé. Nous réessayons. Vous pouvez aussi annuler l'appel.";
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
    $("consent-error").textContent = "La caméra ou le micro de la borne ne marche pas : l'appel vidéo n'est pas possible. Touchez « Non merci » pour revenir à votre démarche.";
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
    ended("Vous n'avez pas appelé. Vous allez revenir à votre démarche.");
  });
  $("cancel").addEventListener("click", function () {
    post("/end?reason=citizen");
    ended("Vous avez annulé l'appel. Vous allez revenir à votre démarche.");
  });
  $("hangup").addEventListener("click", function () {
    window.hangupAt = Date.now();  // read by the benchmark (hang-up to the kiosk shown again)
    post("/end?reason=citizen");
    ended("Vous avez raccroché. Vous allez revenir à votre démarche.");
  });
  $("volume").addEventListener("input", function () { $("remote").volume = $("volume").value / 100; });
  $("rtt-out").addEventListener("input", function () { if (call) call.sendText($("rtt-out").value); });

  show("consent");
  startPreview();
  poll();
  window.visioState = function () { return state; };
})();
