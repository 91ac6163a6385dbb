/// The OpenAPI 3.1 document of the API, served at `/api/v1/openapi.json`; `OpenAPITests`
/// checks it against the route table and fuzzing (schemathesis) reads it.
enum OpenAPI {
    static let document = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "camindex HTTP API",
    "version": "1",
    "description": "The index of a county's (or a province's) camera footage, for signed-in users: regions, cameras, footage windows and gaps, keyframes, thumbnails, health, KPI reports, the audit trail, and evidence exports as jobs. The JSON shapes are those of the CLI's --format json. Times in and out are RFC 3339 with offset; a time without offset is read in the cameras' zone. Errors are {\"error\": {\"code\", \"message\", \"value\"}}. Every route but POST /api/v1/session needs a session cookie or a bearer token; a state-changing request on a session needs its X-CSRF-Token.",
    "license": {
      "name": "see the repository"
    }
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "security": [
    {
      "session": []
    },
    {
      "bearer": []
    }
  ],
  "tags": [
    {
      "name": "session"
    },
    {
      "name": "registry"
    },
    {
      "name": "page"
    },
    {
      "name": "footage"
    },
    {
      "name": "monitoring"
    },
    {
      "name": "audit"
    },
    {
      "name": "exports"
    },
    {
      "name": "meta"
    }
  ],
  "paths": {
    "/api/v1/session": {
      "post": {
        "summary": "Sign in: sets the session cookie (HttpOnly, SameSite=Strict, Secure under TLS).",
        "tags": [
          "session"
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "Signed in: the account, its CSRF token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Session"
                }
              }
            }
          },
          "429": {
            "$ref": "#/components/responses/Locked"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "description": "Five failed sign-ins for a name within 15 minutes lock that name for 15 minutes (429, auth.locked). A wrong name and a wrong password get the same answer (401, auth.failed).",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "user",
                  "password"
                ],
                "properties": {
                  "user": {
                    "type": "string"
                  },
                  "password": {
                    "type": "string"
                  }
                },
                "additionalProperties": false
              }
            }
          }
        },
        "security": []
      },
      "get": {
        "summary": "Who is signed in: name, role, regions, permissions, the session's CSRF token.",
        "tags": [
          "session"
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "The account.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Session"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "summary": "Sign out: ends the session, clears the cookie.",
        "tags": [
          "session"
        ],
        "parameters": [
          {
            "name": "X-CSRF-Token",
            "in": "header",
            "description": "The session's CSRF token.",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "204": {
            "description": "Signed out."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/regions": {
      "get": {
        "summary": "The region tree (county → township → village) with camera counts, as 'region list --format json'.",
        "tags": [
          "registry"
        ],
        "parameters": [
          {
            "name": "under",
            "in": "query",
            "description": "Only this region and those under it (code or exact name).",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Regions.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object"
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/page": {
      "get": {
        "summary": "What the web page needs before it draws: camindex's version, the cameras' zone, the highest region the user sees, the basemap's tile URL and datum (wgs84 or gcj02), how recent footage must be to count as recording.",
        "tags": [
          "page"
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "Page settings: version, timezone, top {code, name, level}, tiles, tiles_datum, tiles_attribution, recording_lag_seconds.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/states": {
      "get": {
        "summary": "Each enabled camera's state at a glance, as the page's map and region tree colour them: id, name, region, lat, lon, state (online, offline, unknown) and since, recording (footage within the last ten minutes), records, picture (ok, faulty or absent) and faults, clock_offset_s.",
        "tags": [
          "registry"
        ],
        "parameters": [
          {
            "name": "region",
            "in": "query",
            "description": "Only the cameras in and under this region (code or exact name).",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Camera states.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object"
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/cameras": {
      "get": {
        "summary": "Cameras, as 'camera list --format json'; passwords of URLs masked.",
        "tags": [
          "registry"
        ],
        "parameters": [
          {
            "name": "region",
            "in": "query",
            "description": "Only cameras in this region and under it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "all",
            "in": "query",
            "description": "Include disabled cameras.",
            "required": false,
            "schema": {
              "type": "boolean"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Cameras.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object"
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/cameras/{id}": {
      "get": {
        "summary": "One camera, as 'camera show --format json': registry, footage, live state, probes, picture, recent files and their time sources. Audited.",
        "tags": [
          "registry"
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "description": "Camera ID.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "probes",
            "in": "query",
            "description": "Recent probes to list (default 10).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 0,
              "maximum": 1000
            }
          },
          {
            "name": "files",
            "in": "query",
            "description": "Indexed files to list, the latest footage first, with their time sources (default 20).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 0,
              "maximum": 1000
            }
          },
          {
            "name": "reason",
            "in": "query",
            "description": "Why this is looked up (case number, request); kept in the audit trail. The X-Camindex-Reason header (percent-encoded) also gives it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The camera.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/cameras/{id}/thumbnail": {
      "get": {
        "summary": "The keyframe thumbnail the last full probe kept (JPEG): the last good one, or with faulty=1 the last with a picture fault. Audited.",
        "tags": [
          "registry"
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "description": "Camera ID.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "faulty",
            "in": "query",
            "description": "The last faulty thumbnail instead.",
            "required": false,
            "schema": {
              "type": "boolean"
            }
          },
          {
            "name": "reason",
            "in": "query",
            "description": "Why this is looked up (case number, request); kept in the audit trail. The X-Camindex-Reason header (percent-encoded) also gives it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The JPEG; X-Camindex-Taken-At says when.",
            "content": {
              "image/jpeg": {
                "schema": {
                  "type": "string",
                  "format": "binary"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/footage": {
      "get": {
        "summary": "Which cameras have footage for a place and time, and where the gaps are, as 'query --format json'. Audited.",
        "tags": [
          "footage"
        ],
        "parameters": [
          {
            "name": "region",
            "in": "query",
            "description": "Region code or exact name; its townships and villages are included.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "camera",
            "in": "query",
            "description": "Camera ID (repeatable, or comma-separated).",
            "required": false,
            "schema": {
              "type": "array",
              "items": {
                "type": "string"
              }
            }
          },
          {
            "name": "near",
            "in": "query",
            "description": "Cameras within 'radius' of this point: LAT,LON (WGS84).",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "radius",
            "in": "query",
            "description": "Metres from 'near'.",
            "required": false,
            "schema": {
              "type": "number",
              "exclusiveMinimum": 0
            }
          },
          {
            "name": "from",
            "in": "query",
            "description": "Start: RFC 3339 with offset, or local (2026-11-20 14:00, or 14:00 with 'date') in the cameras' zone.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "to",
            "in": "query",
            "description": "End, as 'from'.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "date",
            "in": "query",
            "description": "Date for times given as HH:MM: YYYY-MM-DD, today or yesterday.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "timezone",
            "in": "query",
            "description": "Zone for times without an offset (default: the cameras' zone, Asia/Shanghai).",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "max_gap",
            "in": "query",
            "description": "Bridge holes up to this many seconds (default 2).",
            "required": false,
            "schema": {
              "type": "number",
              "minimum": 0
            }
          },
          {
            "name": "live",
            "in": "query",
            "description": "Also when each camera was online live.",
            "required": false,
            "schema": {
              "type": "boolean"
            }
          },
          {
            "name": "include_disabled",
            "in": "query",
            "description": "Include disabled cameras.",
            "required": false,
            "schema": {
              "type": "boolean"
            }
          },
          {
            "name": "reason",
            "in": "query",
            "description": "Why this is looked up (case number, request); kept in the audit trail. The X-Camindex-Reason header (percent-encoded) also gives it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Footage windows and gaps per camera.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "description": "Exactly one of region, camera or near (with radius). Where the county requires reasons, one without is refused (400, audit.reason_required)."
      }
    },
    "/api/v1/keyframe": {
      "get": {
        "summary": "The file and keyframe at or before a moment, as 'keyframe --format json'. Audited.",
        "tags": [
          "footage"
        ],
        "parameters": [
          {
            "name": "camera",
            "in": "query",
            "description": "Camera ID.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "at",
            "in": "query",
            "description": "The moment.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "date",
            "in": "query",
            "description": "Date for times given as HH:MM: YYYY-MM-DD, today or yesterday.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "timezone",
            "in": "query",
            "description": "Zone for times without an offset (default: the cameras' zone, Asia/Shanghai).",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "reason",
            "in": "query",
            "description": "Why this is looked up (case number, request); kept in the audit trail. The X-Camindex-Reason header (percent-encoded) also gives it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The keyframe.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/status": {
      "get": {
        "summary": "The daemon's heartbeat and last cycle, camera states, index totals, as 'status --format json'.",
        "tags": [
          "monitoring"
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "Status.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/health": {
      "get": {
        "summary": "The health checks, as 'health --format json' (the status is in the body; the HTTP status is 200).",
        "tags": [
          "monitoring"
        ],
        "parameters": [
          {
            "name": "region",
            "in": "query",
            "description": "Only this region and those under it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "check",
            "in": "query",
            "description": "A check to run (repeatable): heartbeat, online, offline, recording, clock, index, quality.",
            "required": false,
            "schema": {
              "type": "array",
              "items": {
                "type": "string",
                "enum": [
                  "heartbeat",
                  "online",
                  "offline",
                  "recording",
                  "clock",
                  "index",
                  "quality"
                ]
              }
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Health.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/report": {
      "get": {
        "summary": "KPI report (在线率, 完好率, 录像完整率) by township and village, as 'report --format json'. Audited.",
        "tags": [
          "monitoring"
        ],
        "parameters": [
          {
            "name": "region",
            "in": "query",
            "description": "Only this region and those under it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "period",
            "in": "query",
            "description": "day (default) or week, of 'date'; or a date itself (that day). 'day=DATE' and 'week=DATE' as the CLI's --day and --week also work.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "date",
            "in": "query",
            "description": "A day: YYYY-MM-DD, today or yesterday (default yesterday).",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "day",
            "in": "query",
            "description": "A day (YYYY-MM-DD, today, yesterday), as the CLI's --day.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "week",
            "in": "query",
            "description": "The Monday–Sunday week holding this date, as the CLI's --week.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "from",
            "in": "query",
            "description": "Start of a period given by its ends.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "to",
            "in": "query",
            "description": "End of it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "timezone",
            "in": "query",
            "description": "Zone of the dates and of the answer (default Asia/Shanghai).",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "clock_limit",
            "in": "query",
            "description": "List clocks off by more than this many seconds (default 5).",
            "required": false,
            "schema": {
              "type": "number",
              "minimum": 0
            }
          },
          {
            "name": "reason",
            "in": "query",
            "description": "Why this is looked up (case number, request); kept in the audit trail. The X-Camindex-Reason header (percent-encoded) also gives it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The report.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/audit": {
      "get": {
        "summary": "Audit rows, oldest first, as 'audit --format json' (admin).",
        "tags": [
          "audit"
        ],
        "parameters": [
          {
            "name": "from",
            "in": "query",
            "description": "Rows at or after this time.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "to",
            "in": "query",
            "description": "Rows before this time.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "user",
            "in": "query",
            "description": "Only this user.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "camera",
            "in": "query",
            "description": "Only rows about this camera.",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "command",
            "in": "query",
            "description": "Only this command (query, keyframe, camera show, thumbnail, report, export, user …, sign in, sign out).",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "timezone",
            "in": "query",
            "description": "Zone for times without an offset.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Rows.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object"
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/audit/verify": {
      "get": {
        "summary": "Walks the trail's hash chain (admin).",
        "tags": [
          "audit"
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "Whether it is intact, its rows and head.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AuditVerification"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/exports": {
      "post": {
        "summary": "Export footage as evidence: a job (202 with its id and URL), or with dry_run the parts and estimated sizes at once (200).",
        "tags": [
          "exports"
        ],
        "parameters": [
          {
            "name": "X-CSRF-Token",
            "in": "header",
            "description": "The session's CSRF token (not with a bearer token).",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Dry run: the manifest the export would write.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "202": {
            "description": "The job, queued.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "description": "The request is checked at once (role, scope, times, reason): a refusal is an audit row. The job runs one export at a time; its clips, manifest.json and manifest.txt are served by GET /api/v1/exports/{id}/files/{name}.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ExportRequest"
              }
            }
          }
        }
      },
      "get": {
        "summary": "The caller's export jobs (an admin's: everyone's).",
        "tags": [
          "exports"
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "Jobs.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object"
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/exports/{id}": {
      "get": {
        "summary": "An export job: state, progress, parts and, when done, the manifest.",
        "tags": [
          "exports"
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "description": "Job ID.",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The job.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ExportJob"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/exports/{id}/files/{name}": {
      "get": {
        "summary": "A clip, a manifest, the manifest's signature (manifest.json.sig) or the extraction record (extraction-record.html) of a job; Range requests resume a download (If-Range with the ETag, the clip's SHA-256).",
        "tags": [
          "exports"
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "description": "Job ID.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "name",
            "in": "path",
            "description": "A file the job lists.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "Range",
            "in": "header",
            "description": "bytes=START-END, bytes=START- or bytes=-LENGTH.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The whole file.",
            "content": {
              "application/octet-stream": {
                "schema": {
                  "type": "string",
                  "format": "binary"
                }
              }
            }
          },
          "206": {
            "description": "The part asked for (Content-Range).",
            "content": {
              "application/octet-stream": {
                "schema": {
                  "type": "string",
                  "format": "binary"
                }
              }
            }
          },
          "416": {
            "$ref": "#/components/responses/RangeNotSatisfiable"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/signing-key": {
      "get": {
        "summary": "The public key the county's export manifests are signed with (Ed25519; manifest.json.sig), for 'camindex export verify --public-key'.",
        "tags": [
          "exports"
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "The algorithm, the public key (base64 of its 32 bytes) and its key ID (the first 16 hex digits of its SHA-256).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "algorithm",
                    "public_key",
                    "key_id"
                  ],
                  "properties": {
                    "algorithm": {
                      "type": "string",
                      "enum": [
                        "Ed25519"
                      ]
                    },
                    "public_key": {
                      "type": "string"
                    },
                    "key_id": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "summary": "This document.",
        "tags": [
          "meta"
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "OpenAPI 3.1.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "camindex_session"
      },
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from 'camindex user token NAME'."
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "code",
              "message"
            ],
            "properties": {
              "code": {
                "type": "string",
                "description": "Stable dotted code: auth.failed, camera.unknown, audit.reason_required, …"
              },
              "message": {
                "type": "string"
              },
              "value": {
                "type": [
                  "string",
                  "null"
                ],
                "description": "The offending input, when there is one."
              }
            }
          }
        }
      },
      "Session": {
        "type": "object",
        "required": [
          "user",
          "role",
          "regions",
          "permissions",
          "idle_expiry_seconds",
          "reason_required"
        ],
        "properties": {
          "user": {
            "type": "string"
          },
          "role": {
            "type": "string",
            "enum": [
              "police",
              "technician",
              "officer",
              "admin"
            ]
          },
          "regions": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "permissions": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "csrf_token": {
            "type": "string"
          },
          "idle_expiry_seconds": {
            "type": "integer"
          },
          "reason_required": {
            "type": "boolean"
          }
        }
      },
      "AuditVerification": {
        "type": "object",
        "required": [
          "intact",
          "rows",
          "head"
        ],
        "properties": {
          "intact": {
            "type": "boolean"
          },
          "rows": {
            "type": "integer"
          },
          "head": {
            "type": "string"
          },
          "first_broken": {
            "type": "integer"
          },
          "problem": {
            "type": "string"
          }
        }
      },
      "ExportRequest": {
        "type": "object",
        "required": [
          "from",
          "to"
        ],
        "additionalProperties": false,
        "properties": {
          "cameras": {
            "description": "Camera IDs: a list, or one string (commas separate IDs).",
            "oneOf": [
              {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              {
                "type": "string"
              }
            ]
          },
          "camera": {
            "description": "As cameras (the CLI's --camera).",
            "type": "string"
          },
          "region": {
            "type": "string"
          },
          "near": {
            "type": "string",
            "description": "LAT,LON"
          },
          "radius": {
            "type": "number"
          },
          "from": {
            "type": "string"
          },
          "to": {
            "type": "string"
          },
          "date": {
            "type": "string"
          },
          "timezone": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          },
          "dry_run": {
            "type": "boolean"
          }
        },
        "description": "Exactly one of cameras, region or near (with radius)."
      },
      "ExportJob": {
        "type": "object",
        "required": [
          "id",
          "user",
          "state",
          "created_at",
          "request",
          "progress",
          "parts",
          "files",
          "url"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "user": {
            "type": "string"
          },
          "state": {
            "type": "string",
            "enum": [
              "queued",
              "running",
              "done",
              "failed",
              "interrupted"
            ]
          },
          "created_at": {
            "type": "string"
          },
          "finished_at": {
            "type": "string"
          },
          "request": {
            "$ref": "#/components/schemas/ExportRequest"
          },
          "progress": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "parts": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "file": {
                  "type": "string"
                },
                "sha256": {
                  "type": "string"
                },
                "bytes": {
                  "type": "integer"
                }
              }
            }
          },
          "files": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "url": {
            "type": "string"
          },
          "error": {
            "type": "object"
          },
          "manifest": {
            "type": "object"
          }
        }
      }
    },
    "responses": {
      "BadRequest": {
        "description": "Bad input, naming the parameter (400).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "Not signed in, or a wrong name, password or token (401).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Forbidden": {
        "description": "The role does not allow it, or a cross-origin change / missing CSRF token (403).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "NotFound": {
        "description": "No such camera, region, export or route for this user (404).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Conflict": {
        "description": "An export that exists (409).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Locked": {
        "description": "Too many failed sign-ins for this name (429).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Unavailable": {
        "description": "The store is busy, damaged or full, or the province unreachable (503).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "RangeNotSatisfiable": {
        "description": "A Range outside the file (416).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    }
  }
}
"""#
}
