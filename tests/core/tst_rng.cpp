#include <QtTest>

class Test_rng : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_rng)
#include "tst_rng.moc"
