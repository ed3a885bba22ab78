/* The advisor's console: the partner's queue (site, démarche, help level, waited time), take the next
   call, the call itself with real-time text, hang up with an optional outcome code. */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var csrf = root.dataset.csrf, pollMs = parseInt(root.dataset.poll, 10) || 1000;
  var call = null, joinedId = null, lastCallId = null;
  var $ = function (id) { return document.getElementById(id); };

  function post(path) {
    return fetch(path, {method: "POST", headers: {"x-csrf-token": csrf}, cache: "no-store"})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); });
  }

  function waited(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m ? m + " min " + s + " s" : s + " s";
  }

  function drawQueue(queue) {
    var body = $("queue").querySelector("tbody");
    body.textContent = "";
    queue.forEach(function (item) {
      var row = document.createElement("tr");
      row.dataset.id = item.id;
      [item.site, item.demarche, item.help_label, item.language, waited(item.waited_s)].forEach(function (text) {
        var cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    $("queue").hidden = queue.length === 0;
    $("empty").hidden = queue.length !== 0;
    $("take").disabled = queue.length === 0 || !!joinedId;
  }

  function drawCounts(c) {
    $("counts").textContent = "Appels demandés : " + c.calls + " · pris : " + c.taken +
      " · abandonnés pendant l'attente : " + c.abandoned + " · coupés : " + c.dropped + ".";
  }

  function leaveCall(text) {
    if (call) { call.leave(); call = null; window.visioCall = null; }
    if (joinedId) {
      lastCallId = joinedId;
      joinedId = null;
      $("call-box").hidden = true;
      $("queue-box").hidden = false;
      $("after-box").hidden = false;
      $("after-text").textContent = text;
      $("rtt-in").textContent = "";
      $("rtt-out").value = "";
    }
  }

  function join(c) {
    joinedId = c.id;
    $("after-box").hidden = true;
    $("queue-box").hidden = true;
    $("call-box").hidden = false;
    $("call-what").textContent = c.site + " · " + c.demarche + " · " + c.help_label;
    $("call-status").textContent = "Connexion…";
    VisioRoom.join({
      server: c.server, room: c.room, pin: c.pin, display: "advisor",
      localVideo: $("local"), remoteVideo: $("remote"),
      onText: function (text) { $("rtt-in").textContent = text; },
      onRemoteMedia: function (kind) {
        if (kind === "video") {
          $("call-status").textContent = "En ligne avec la personne à la borne.";
          if (!window.firstRemoteVideoAt) window.firstRemoteVideoAt = Date.now();
        }
      },
      onOtherLeft: function () { $("call-status").textContent = "La personne a quitté l'appel."; },
      onError: function () { $("call-status").textContent = "Le serveur vidéo ne répond plus. Raccrochez, puis réessayez."; }
    }).then(function (handle) { call = handle; window.visioCall = handle; }, function () {
      $("call-status").textContent = "Impossible de joindre le serveur vidéo. Raccrochez, puis prévenez l'administrateur.";
    });
  }

  function poll(once) {
    fetch("/visio/console/state", {cache: "no-store"}).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (s) {
      $("link").textContent = "Connecté au hub. Conseillers disponibles : " + s.on_duty + ".";
      drawQueue(s.queue);
      drawCounts(s.counters);
      if (s.call && joinedId !== s.call.id) join(s.call);
      if (!s.call && joinedId) leaveCall("La personne a raccroché. Vous pouvez indiquer le résultat de l'appel.");
    }).catch(function () {
      $("link").textContent = "Le hub ne répond pas. Nouvel essai dans un instant.";
    }).then(function () { if (!once) setTimeout(poll, pollMs); });
  }

  $("take").addEventListener("click", function () {
    $("take").disabled = true;
    $("take-error").hidden = true;
    post("/visio/console/take").then(function (r) {
      if (!r.ok) { $("take-error").textContent = r.body.error; $("take-error").hidden = false; return; }
      poll(true);  // join the call's room now, not at the next tick
    });
  });
  $("hangup").addEventListener("click", function () {
    window.hangupAt = Date.now();  // read by the benchmark (hang-up to the kiosk shown again)
    var chosen = document.querySelector('input[name="outcome"]:checked');
    var id = joinedId;
    post("/visio/console/calls/" + id + "/end" + (chosen ? "?outcome=" + chosen.value : ""));
    leaveCall("Appel terminé" + (chosen ? " (résultat noté)." : "."));
    document.querySelectorAll('input[name="outcome"]').forEach(function (i) { i.checked = false; });
  });
  $("rtt-out").addEventListener("input", function () { if (call) call.sendText($("rtt-out").value); });

  poll();
})();
