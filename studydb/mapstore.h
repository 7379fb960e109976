#pragma once

#include "attention/gradcam.h"
#include "result.h"
#include "storecontext.h"

#include <optional>

namespace ntt {

/**
 * Class-activation maps, cached by what made them.
 * Part of StudyDatabase, which opens the connection all stores share; tested on SQLite and
 * PostgreSQL alike (tst_stores).
 */
class MapStore
{
public:
    // Class-activation maps, cached by what made them: the model file's hash, the image file's
    // hash, the method, layer and target, and the noise settings. A changed model or image has
    // another hash, so its old maps are never returned; pruneCamMaps() drops them.
    struct CamKey
    {
        QString modelSha256;
        QString imageSha256;
        CamOptions options;
    };
    /// The cached map, or nullopt when there is none.
    Result<std::optional<CamMap>> camMap(const CamKey& key) const;
    Status storeCamMap(const CamKey& key, const CamMap& map);
    /// Deletes maps of model files no registered model has any more and of images no longer in
    /// the pool or among a study's stimuli; returns how many.
    Result<int> pruneCamMaps();
    Result<int> camMapCount() const;

protected:
    explicit MapStore(StoreContext& context);
    ~MapStore() = default;
    MapStore(const MapStore&) = delete;
    MapStore& operator=(const MapStore&) = delete;

private:
    QSqlDatabase database() const { return m_c.database(); }
    QString readOnlyError(const QString& what) const { return m_c.readOnlyError(what); }

    StoreContext& m_c;
};

} // namespace ntt
