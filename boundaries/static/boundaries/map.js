/* Parcel maps on Leaflet (vendored in static/vendor/leaflet): the browsing map (viewport
 * queries, server-side grid clusters at low zoom, colour by status or category, reference
 * layers) and small fixed maps (a parcel and its neighbours, an import preview).
 * Works offline: district outlines are the base layer; raster tiles only when configured.
 * Texts come translated from the page (data-i18n-* attributes on the map element). */
(function () {
  "use strict";

  function readConfig(el) {
    var node = document.getElementById(el.dataset.config);
    return JSON.parse(node.textContent);
  }

  function text(el, key, fallback) {
    return el.dataset["i18n" + key] || fallback;
  }

  function baseMap(el, config) {
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, attributionControl: true });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, {
        attribution: config.tileAttribution || "",
        subdomains: "01234567",
        maxZoom: 18,
      }).addTo(map);
    }
    return map;
  }

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var RETRY_DELAYS_MS = [500, 2000]; // a failed request is tried again after these pauses

  // Fetch JSON; resolve with {text, data}. Reject with {kind, status, message}: "session" (logged
  // out or no longer allowed: a redirect to the login page, 401 or 403), "refused" (the server
  // said why in {"error": …}), "server" (a 5xx or an answer that is not JSON: status is set; no
  // answer at all: status 0) — only "server" is worth retrying.
  function getJson(url, signal) {
    return fetch(url, { credentials: "same-origin", signal: signal, headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.redirected || r.status === 401 || r.status === 403) throw { kind: "session" };
        return r.text().then(function (body) {
          var data = null;
          try { data = JSON.parse(body); } catch (e) { /* an error page, or cut short */ }
          if (r.ok && data) return { text: body, data: data };
          if (data && data.error) throw { kind: "refused", message: data.error };
          throw { kind: "server", status: r.status };
        });
      }, function (err) {
        if (err.name === "AbortError") throw err;
        throw { kind: "server", status: 0 };
      });
  }

  // getJson, tried again after RETRY_DELAYS_MS while the failure is "server" and isCurrent().
  function getJsonRetrying(url, signal, isCurrent, attempt) {
    attempt = attempt || 0;
    return getJson(url, signal).catch(function (err) {
      if (err.kind !== "server" || attempt >= RETRY_DELAYS_MS.length || !isCurrent()) throw err;
      return new Promise(function (resolve) { setTimeout(resolve, RETRY_DELAYS_MS[attempt]); })
        .then(function () {
          if (!isCurrent()) throw { kind: "superseded" };
          return getJsonRetrying(url, signal, isCurrent, attempt + 1);
        });
    });
  }

  function browse(el) {
    var config = readConfig(el);
    var map = baseMap(el, config);
    var status = document.getElementById(el.dataset.status);
    var legendBox = document.getElementById(el.dataset.legend);
    var colourBy = "status";
    var filters = el.dataset.query || "";
    var parcels = L.featureGroup().addTo(map);
    var lastData = null;
    var lastText = null;
    var pending = null;
    var latest = 0; // number of the newest viewport request: older answers are dropped
    var firstPaint = true;
    var openId = null; // the parcel whose popup is open, kept open across redraws
    var toolbar = status ? status.parentNode : el.parentNode;
    var problems = {};

    // A problem of `key` ("parcels", "layers") shown next to the status, with a retry button.
    function showProblem(key, err, retry) {
      var box = problems[key];
      if (!box) {
        box = problems[key] = document.createElement("span");
        box.className = "bad map-problem";
        box.setAttribute("role", "alert");
        toolbar.insertBefore(box, status ? status.nextSibling : el);
      }
      var what = key === "layers" ? text(el, "LayersFailed", "区界和参考图层加载失败") : text(el, "Failed", "地块加载失败");
      var why = err.message;
      if (err.kind === "session") why = text(el, "Session", "登录已过期或无权查看，请刷新页面后重新登录");
      else if (err.kind === "server") {
        why = err.status ? text(el, "ServerError", "服务器出错") + "（HTTP " + err.status + "）" : text(el, "Offline", "无法连接服务器");
      }
      box.textContent = what + "：" + why + " ";
      if (err.kind !== "session") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = text(el, "Retry", "重试");
        button.addEventListener("click", retry);
        box.appendChild(button);
      }
      el.dataset.error = key + ":" + err.kind;
    }

    function clearProblem(key) {
      if (problems[key]) {
        problems[key].remove();
        delete problems[key];
      }
      if ((el.dataset.error || "").indexOf(key + ":") === 0) delete el.dataset.error;
    }

    if (config.extent) {
      var e = config.extent;
      map.fitBounds([[e[1], e[0]], [e[3], e[2]]]);
    } else {
      map.setView([39.9, 116.4], 9);
    }

    // Reference layers: district outlines (base), rings, key function areas, rail stations.
    function loadLayers() {
      clearProblem("layers");
      getJsonRetrying(config.layersUrl, undefined, function () { return true; })
        .then(function (answer) { clearProblem("layers"); drawLayers(answer.data); })
        .catch(function (err) { showProblem("layers", err, loadLayers); });
    }

    function drawLayers(layers) {
      var outlines = L.geoJSON(layers.district, {
        interactive: false,
        style: function (f) {
          return {
            color: f.properties.own ? "#0b3d91" : "#7a8294",
            weight: f.properties.own ? 2.5 : 1,
            fillColor: "#f4f6fa",
            fillOpacity: config.tileUrl ? 0 : 0.6,
          };
        },
      }).addTo(map);
      outlines.bringToBack();
      var rings = L.geoJSON(layers.district, {
        interactive: false,
        style: function (f) {
          return { stroke: false, fillColor: f.properties.ring_colour || "#eee", fillOpacity: 0.55 };
        },
      });
      var areas = L.geoJSON(layers.key_function_area, {
        style: { color: "#e8590c", weight: 1.5, dashArray: "4 3", fillOpacity: 0.08 },
        onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.name)); },
      });
      var stations = L.geoJSON(layers.rail_station, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 4, color: "#212529", weight: 1, fillColor: "#fff", fillOpacity: 1 });
        },
        onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.name)); },
      });
      var overlays = {};
      overlays[text(el, "Rings", "圈层")] = rings;
      overlays[text(el, "Areas", "重点功能区")] = areas.addTo(map);
      overlays[text(el, "Stations", "轨道站点")] = stations;
      overlays[text(el, "Parcels", "地块")] = parcels;
      var base = {};
      base[text(el, "Outlines", "区界")] = outlines;
      L.control.layers(base, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
      if (layers.sources && layers.sources.length) {
        map.attributionControl.addAttribution(layers.sources.map(escapeHtml).join("; "));
      }
    }
    loadLayers();

    function colour(props) {
      return colourBy === "status" ? props.status_colour : props.category_colour;
    }

    function drawLegend() {
      if (!legendBox) return;
      legendBox.innerHTML = config.legends[colourBy]
        .map(function (item) {
          return '<span class="legend-item"><i style="background:' + item.colour + '"></i>' + escapeHtml(item.label) + "</span>";
        })
        .join("");
    }

    function popup(props) {
      var html = "<strong>" + escapeHtml(props.code) + "</strong> " + escapeHtml(props.name) +
        "<br>" + escapeHtml(props.district) + " · " + escapeHtml(props.category) +
        "<br>" + escapeHtml(props.area_ha) + " " + text(el, "Hectare", "公顷") + " · " + escapeHtml(props.status_label);
      if (props.disagree && props.disagree.length) {
        html += '<br><span class="bad">' + text(el, "Disagree", "图形判定与填报不一致") + "：" +
          props.disagree.map(escapeHtml).join("、") + "</span>";
      }
      if (props.url) {
        html += '<br><a class="open-parcel" href="' + escapeHtml(props.url) + '">' + text(el, "Open", "打开地块") + " »</a>";
      }
      return html;
    }

    // The status line counts the parcels drawn; blank while the drawing is not of this viewport.
    function describe(data) {
      if (!status) return;
      status.textContent = data ? text(el, "Count", "视野内地块") + "：" + data.total +
        (data.mode === "clusters" ? "（" + text(el, "Clustered", "已聚合，放大查看单个地块") + "）" : "") : "";
    }

    function render(data) {
      lastData = data;
      var keep = openId;
      parcels.clearLayers();
      if (data.mode === "clusters") {
        data.clusters.forEach(function (c) {
          var size = 26 + Math.min(30, Math.round(Math.log(c.count + 1) * 5));
          var marker = L.marker([c.lat, c.lon], {
            icon: L.divIcon({
              className: "parcel-cluster",
              html: "<span>" + c.count + "</span>",
              iconSize: [size, size],
            }),
            title: c.count + " · " + c.area_ha + " " + text(el, "Hectare", "公顷"),
          });
          marker.on("click", function () { map.setView([c.lat, c.lon], Math.max(map.getZoom() + 2, 11)); });
          parcels.addLayer(marker);
        });
      } else {
        var layer = L.geoJSON(
          { type: "FeatureCollection", features: data.features },
          {
            style: function (f) {
              var disagree = f.properties.disagree && f.properties.disagree.length;
              return {
                color: disagree ? "#c92a2a" : colour(f.properties),
                weight: disagree ? 2.5 : 1.5,
                dashArray: disagree ? "5 3" : null,
                fillColor: colour(f.properties),
                fillOpacity: 0.55,
              };
            },
            onEachFeature: function (f, l) {
              l.bindPopup(popup(f.properties));
              l.bindTooltip(escapeHtml(f.properties.code));
              l.on("popupopen", function () { openId = f.properties.id; });
              l.on("popupclose", function () { if (openId === f.properties.id) openId = null; });
            },
          }
        );
        parcels.addLayer(layer);
        // A move (the popup's own auto-pan, too) redraws the viewport: reopen the popup the
        // user had open when its parcel is still there.
        layer.eachLayer(function (l) {
          if (keep !== null && l.feature.properties.id === keep) l.openPopup();
        });
      }
      describe(data);
      if (firstPaint) {
        firstPaint = false;
        window.mapFirstPaintMs = performance.now();
      }
      el.dataset.mode = data.mode;
      el.dataset.count = String(data.total);
    }

    // Load the parcels of the viewport. Only the newest request may draw or clear data-loading:
    // a move while a request is under way aborts it (an answer that arrives anyway is dropped).
    // A failed request is retried, then shown with a retry button; either way the map settles
    // (data-ready, data-loading cleared), so it never stays "loading".
    function refresh() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
      if (pending) pending.abort();
      pending = new AbortController();
      var number = ++latest;
      var isCurrent = function () { return number === latest; };
      var url = config.dataUrl + "?" + (filters ? filters + "&" : "") + "bbox=" + bbox + "&zoom=" + Math.floor(map.getZoom());
      el.dataset.loading = "1";
      getJsonRetrying(url, pending.signal, isCurrent)
        .then(function (answer) {
          if (!isCurrent()) return;
          clearProblem("parcels");
          if (answer.text !== lastText) {
            lastText = answer.text;
            render(answer.data);
          } else {
            describe(lastData); // the same parcels as drawn: nothing to redraw
          }
          settle();
        })
        .catch(function (err) {
          if (!isCurrent() || err.name === "AbortError" || err.kind === "superseded") return;
          showProblem("parcels", err, refresh);
          describe(null);
          settle();
        });
    }

    function settle() {
      el.dataset.loading = "";
      el.dataset.ready = "1";
    }

    map.on("moveend", refresh);
    refresh();
    drawLegend();

    var switcher = document.getElementById(el.dataset.colourSwitch);
    if (switcher) {
      switcher.addEventListener("change", function () {
        colourBy = switcher.value;
        drawLegend();
        if (lastData) render(lastData);
      });
    }
    el._map = map;
  }

  function fixed(el) {
    var config = readConfig(el);
    var map = baseMap(el, config);
    var layer = L.geoJSON(config.features, {
      style: function (f) {
        if (f.properties.role === "neighbour") {
          return { color: "#7a8294", weight: 1, fillColor: "#adb5bd", fillOpacity: 0.35 };
        }
        var bad = f.properties.overlaps && f.properties.overlaps.length;
        return { color: bad ? "#c92a2a" : "#0b3d91", weight: 2, fillColor: bad ? "#ffa8a8" : "#4dabf7", fillOpacity: 0.5 };
      },
      onEachFeature: function (f, l) {
        if (f.properties.code) l.bindTooltip(escapeHtml(f.properties.code), { permanent: f.properties.role !== "neighbour" });
        if (f.properties.url) l.on("click", function () { window.location.href = f.properties.url; });
      },
    }).addTo(map);
    if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
    } else {
      map.setView([39.9, 116.4], 9);
    }
    el.dataset.ready = "1";
    el._map = map;
  }

  document.querySelectorAll("[data-parcel-map]").forEach(function (el) {
    if (el.dataset.parcelMap === "browse") browse(el);
    else fixed(el);
  });
})();
