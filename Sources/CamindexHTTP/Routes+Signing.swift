import CamindexCore
import CamindexService
import Hummingbird

extension API {
    /// `GET /api/v1/signing-key`: the public key the county's exports are signed with (any
    /// signed-in user), to check a copy of an export with `camindex export verify --public-key`.
    static func signingKey(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        try await api.answer(request, context) { service, p in
            try p.allow([])
            return try service.signingKey()
        }
    }
}
